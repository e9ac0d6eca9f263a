"""The bundled scanned sample: the filing in ``samples/source`` rendered as a scan.

``render_sample`` gives the pages; ``write_sample`` writes what the repository
ships (``python -m render sample``):

- ``samples/inbox/kzhk-prospectus-amendment-2015.pdf``: every page, preset
  ``scan`` (skew under 1 degree, light blur), grayscale JPEG at 300 DPI;
- ``samples/scans/``: the PDF's ground truth, one clean PNG page (RU), one
  ``moderate`` JPEG page (KK; JPEG because a PNG of a noisy page is 3 MB), the
  same KK page ``heavy`` as PNG (200 DPI), and a 2-page
  black-and-white Group 4 TIFF of the two pages the ``Мадиев`` table row is
  split across, each with its ground truth (see :mod:`render.files`).

Layout choices for the filing: the RU part, the KK part, the certification
page with the registration stamp, and the regulator's cover letter each start
a new page; the running header is the issuer's name in the part's language. A
space before the RU director table and the table cell padding are chosen (deterministically, by trying
sizes in turn) so that the ``Мадиев`` row breaks across a page, as it does in
the real filing.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from render.blocks import Block, Spacer, Table
from render.degrade import Step
from render.document import render_document
from render.files import write_jpeg, write_pdf, write_png, write_tiff
from render.layout import RenderedPage, Style, layout
from render.source import insert_page_breaks, parse_filing

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
SAMPLE_NAME = "kzhk-prospectus-amendment-2015"
SAMPLE_SOURCE = REPO / "samples" / "source" / f"{SAMPLE_NAME}.txt"

HEADER_RU = "АО «ИО «Казахстанская Ипотечная Компания»"
HEADER_KK = "«Қазақстан Ипотекалық Компаниясы» ИҰ» АҚ"
PAGE_STARTS = {
    "Қазақстан Ипотекалық Компаниясы» Ипотекалық ұйымы»": HEADER_KK,
    "«ҚАЗАҚСТАН РЕСПУБЛИКАСЫНЫҢ": "",
}
SPLIT_ROW_START = "Мадиев"
MAX_SPACE_MM = 60
PAD_TRIALS_MM = (1.2, 1.1, 1.0, 1.3, 1.4, 0.9, 1.5, 0.8, 1.6)


def sample_text() -> str:
    """The source text of the bundled filing."""
    return SAMPLE_SOURCE.read_text(encoding="utf-8")


def sample_style(*, cell_pad_y_mm: float = 1.2) -> Style:
    """The sample's page style: the RU running header; the table padding the plan chose."""
    return Style(header=HEADER_RU, cell_pad_mm=(2.0, cell_pad_y_mm))


def _split_row(pages: list, table_index: int, row: int) -> bool:
    """Whether table row ``row`` ends one page and begins the next."""
    parts = [
        line
        for _image, lines, _blocks in pages
        for line in lines
        if line.block == table_index and line.kind == "table_row" and line.row == row
    ]
    return len(parts) == 2 and parts[0].split == "start" and parts[1].split == "end"


@dataclass(frozen=True, slots=True)
class SamplePlan:
    """The blocks and style the sample is drawn with."""

    blocks: tuple[Block, ...]
    style: Style


@functools.lru_cache(maxsize=16)
def sample_plan(text: str | None = None, *, font: str = "DejaVuSans", dpi: int = 300) -> SamplePlan:
    """The filing's blocks with its page breaks, and the style to draw them with.

    The vertical cell padding (0.8 to 1.6 mm) and a space before the first
    table (0 to ``MAX_SPACE_MM``) are tried in a fixed order until the
    ``Мадиев`` row breaks across a page with two or more lines on the first
    page; if none does, the plain layout is used (and a warning logged).
    """
    blocks = insert_page_breaks(parse_filing(text if text is not None else sample_text()), PAGE_STARTS)
    plain = SamplePlan(tuple(blocks), sample_style())
    tables = [i for i, b in enumerate(blocks) if isinstance(b, Table)]
    if not tables:
        return plain
    first = tables[0]
    table = blocks[first]
    assert isinstance(table, Table)
    rows = [r for r, row in enumerate(table.rows) if row and row[0].startswith(SPLIT_ROW_START)]
    if not rows:
        return plain
    head = blocks[: first + 1]
    for pad in PAD_TRIALS_MM:
        style = sample_style(cell_pad_y_mm=pad)
        for mm in range(0, MAX_SPACE_MM + 1, 2):
            trial = head[:first] + ([Spacer(float(mm))] if mm else []) + head[first:]
            pages = layout(trial, font=font, dpi=dpi, style=style, dry=True)
            if _split_row(pages, first + (1 if mm else 0), rows[0]):
                log.debug("sample: pad %.2f mm, %d mm before the table split the %s row", pad, mm, SPLIT_ROW_START)
                return SamplePlan(tuple(trial) + tuple(blocks[first + 1 :]), style)
    log.warning("sample: nothing tried splits the %s row across pages (font %s, %d dpi)", SPLIT_ROW_START, font, dpi)
    return plain


def sample_blocks(text: str | None = None, *, font: str = "DejaVuSans", dpi: int = 300) -> list[Block]:
    """The blocks of :func:`sample_plan`."""
    return list(sample_plan(text, font=font, dpi=dpi).blocks)


def render_sample(
    *,
    font: str = "DejaVuSans",
    dpi: int = 300,
    degrade: str | tuple[Step, ...] | list[Step] = "clean",
    seed: int = 0,
    text: str | None = None,
) -> list[RenderedPage]:
    """Every page of the bundled filing (or of ``text`` in the same format), rendered."""
    plan = sample_plan(text, font=font, dpi=dpi)
    return render_document(plan.blocks, font=font, dpi=dpi, degrade=degrade, seed=seed, style=plan.style)


@dataclass(frozen=True, slots=True)
class SampleFiles:
    """What :func:`write_sample` wrote."""

    pdf: Path
    images: tuple[Path, ...]
    tiff: Path
    pages: int


def _split_pages(pages: list[RenderedPage]) -> tuple[int, int]:
    for page in pages:
        for line in page.lines:
            if line.kind == "table_row" and line.split == "start" and line.cells and line.cells[0].text.startswith(
                SPLIT_ROW_START
            ):
                return page.number, page.number + 1
    return 2, 3


def _text_page(pages: list[RenderedPage], header: str) -> int:
    """The page under running header ``header`` with the most text lines and no table."""
    best, best_n = 1, -1
    for page in pages:
        if not any(line.furniture and line.text == header for line in page.lines):
            continue
        if any(line.kind == "table_row" for line in page.lines):
            continue
        n = sum(not line.furniture for line in page.lines)
        if n > best_n:
            best, best_n = page.number, n
    return best


def write_sample(out_dir: Path, inbox: Path, *, seed: int = 0, jpeg_quality: int = 40) -> SampleFiles:
    """Write the bundled sample (see the module docstring). Same seed, same bytes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    inbox.mkdir(parents=True, exist_ok=True)
    plan = sample_plan()
    blocks, style = plan.blocks, plan.style
    scan = render_document(blocks, degrade="scan", seed=seed, style=style)
    pdf = write_pdf(inbox / f"{SAMPLE_NAME}.pdf", scan, quality=jpeg_quality, title=SAMPLE_NAME, gt_dir=out_dir)

    clean = render_document(blocks, degrade="clean", seed=seed, style=style)
    ru_text_page = _text_page(clean, HEADER_RU)
    kk_text_page = _text_page(clean, HEADER_KK)
    table_pages = _split_pages(clean)

    def one(pages: list[RenderedPage], number: int) -> RenderedPage:
        return pages[number - 1]

    pngs = [write_png(out_dir / f"{SAMPLE_NAME}.p{ru_text_page:02d}.clean.png", one(clean, ru_text_page))]
    moderate = one(render_document(blocks, degrade="moderate", seed=seed, style=style), kk_text_page)
    # JPEG at the quality of the preset's own JPEG step: a PNG of a noisy page is 3 MB, this is 0.5 MB
    quality = int(moderate.params.get("jpeg", {}).get("quality", 75))
    pngs.append(write_jpeg(out_dir / f"{SAMPLE_NAME}.p{kk_text_page:02d}.moderate.jpg", moderate, quality=quality))
    heavy = render_document(blocks, degrade="heavy", seed=seed, style=style)
    pngs.append(write_png(out_dir / f"{SAMPLE_NAME}.p{kk_text_page:02d}.heavy.png", one(heavy, kk_text_page)))
    a, b = table_pages
    tiff = write_tiff(
        out_dir / f"{SAMPLE_NAME}.p{a:02d}-{b:02d}.g4.tif", [one(scan, a), one(scan, b)], compression="group4"
    )
    return SampleFiles(pdf=pdf, images=tuple(pngs), tiff=tiff, pages=len(scan))


__all__ = ["SampleFiles", "SamplePlan", "render_sample", "sample_blocks", "sample_plan", "sample_text", "write_sample"]

