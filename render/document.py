"""The renderer's function API: blocks or text in, rendered pages with ground truth out."""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Sequence

import numpy as np

from qostil.errors import ConfigError
from qostil.records import BBox
from render.blocks import Block, Paragraph
from render.degrade import Affine, Step, degrade as apply_degrade
from render.layout import GtBlock, GtCell, GtLine, GtWord, RenderedPage, Style, layout

log = logging.getLogger(__name__)


def _map_box(b: BBox, m: Affine, size: tuple[int, int]) -> BBox:
    pts = np.array([[b.x0, b.y0, 1.0], [b.x1, b.y0, 1.0], [b.x0, b.y1, 1.0], [b.x1, b.y1, 1.0]]) @ m.T
    w, h = size
    x0 = max(0, math.floor(pts[:, 0].min()))
    y0 = max(0, math.floor(pts[:, 1].min()))
    x1 = min(w, math.ceil(pts[:, 0].max()))
    y1 = min(h, math.ceil(pts[:, 1].max()))
    return BBox(int(x0), int(y0), int(max(x0, x1)), int(max(y0, y1)))


def _map_line(line: GtLine, m: Affine, size: tuple[int, int]) -> GtLine:
    return dataclasses.replace(
        line,
        bbox=_map_box(line.bbox, m, size),
        words=tuple(GtWord(w.text, _map_box(w.bbox, m, size)) for w in line.words),
        cells=tuple(GtCell(c.col, c.text, _map_box(c.bbox, m, size)) for c in line.cells),
    )


def render_document(
    blocks: Sequence[Block],
    *,
    font: str = "DejaVuSans",
    dpi: int = 300,
    degrade: str | tuple[Step, ...] | list[Step] = "clean",
    seed: int = 0,
    style: Style | None = None,
) -> list[RenderedPage]:
    """Lay out and draw ``blocks`` on A4 pages, then degrade each page.

    Page ``n`` is degraded with ``numpy.random.default_rng([seed, n])``, so the
    same arguments always give the same pixels. Ground-truth boxes follow the
    skew and the rescaling.
    """
    preset_name = degrade if isinstance(degrade, str) else "custom"
    pages: list[RenderedPage] = []
    for number, (image, lines, gt_blocks) in enumerate(layout(list(blocks), font=font, dpi=dpi, style=style), 1):
        rng = np.random.default_rng([seed, number])
        result = apply_degrade(image, degrade, dpi=dpi, rng=rng)
        size = (int(result.image.shape[1]), int(result.image.shape[0]))
        if result.applied:
            m = result.matrix
            lines = [_map_line(line, m, size) for line in lines]
            gt_blocks = [dataclasses.replace(b, bbox=_map_box(b.bbox, m, size)) for b in gt_blocks]
        pages.append(
            RenderedPage(
                number=number,
                image=result.image,
                dpi=result.dpi,
                lines=tuple(lines),
                blocks=tuple(gt_blocks),
                font=font,
                degrade=preset_name,
                seed=seed,
                params={name: params for name, params in result.applied},
            )
        )
    return pages


def render_text_page(
    text: str,
    *,
    font: str = "DejaVuSans",
    dpi: int = 300,
    degrade: str | tuple[Step, ...] | list[Step] = "clean",
    seed: int = 0,
    align: str = "justify",
    indent_mm: float = 0.0,
    style: Style | None = None,
) -> RenderedPage:
    """One page of plain paragraphs (separated by blank lines), without header or page number.

    Raises :class:`ConfigError` when the text does not fit on one page.
    """
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    blocks = [Paragraph(text=p, align=align, indent_mm=indent_mm) for p in paragraphs]
    style = style or Style(page_numbers=False, header="")
    pages = render_document(blocks, font=font, dpi=dpi, degrade=degrade, seed=seed, style=style)
    if len(pages) != 1:
        raise ConfigError(f"The text needs {len(pages)} pages; render_text_page draws one. Use render_document.")
    return pages[0]


__all__ = ["GtBlock", "GtCell", "GtLine", "GtWord", "RenderedPage", "render_document", "render_text_page"]
