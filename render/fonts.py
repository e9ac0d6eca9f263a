"""Fonts for the renderer: found by name, checked to draw every Kazakh letter.

DejaVu Sans (regular and bold) ships inside the package (``render/fonts/``,
Bitstream Vera licence, see ``LICENSE-DejaVu.txt``) so tests never depend on
system fonts. Other families are looked up in the usual font folders; a family
whose files miss a Kazakh letter is refused with a :class:`ConfigError`
(Debian's Liberation 2.1 fonts, for one, have no ә ғ қ ң ө ұ ү һ).

A character a family cannot draw at all (``☎``, ``☞``) is drawn with the
bundled DejaVu Sans instead, so the page still shows exactly the ground truth.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import pymupdf
from PIL import ImageFont

from qostil.errors import ConfigError, MissingDependencyError

log = logging.getLogger(__name__)

BUNDLED_DIR = Path(__file__).with_name("fonts")

KAZAKH_LETTERS = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
CYRILLIC_LETTERS = "".join(chr(c) for c in range(0x410, 0x450)) + "Ёё"
REQUIRED_CHARS = KAZAKH_LETTERS + CYRILLIC_LETTERS + "«»–—№"

#: family name -> (regular file, bold file). Only families that pass the Kazakh check are usable.
FAMILIES: dict[str, tuple[str, str]] = {
    "DejaVuSans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "DejaVuSerif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    "FreeSerif": ("FreeSerif.ttf", "FreeSerifBold.ttf"),
    "FreeSans": ("FreeSans.ttf", "FreeSansBold.ttf"),
    "NotoSans": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    "NotoSerif": ("NotoSerif-Regular.ttf", "NotoSerif-Bold.ttf"),
    "LiberationSerif": ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf"),
    "LiberationSans": ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
}

SEARCH_DIRS: tuple[Path, ...] = (
    BUNDLED_DIR,
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
    Path("/Library/Fonts"),
    Path("/System/Library/Fonts"),
)


@dataclass(frozen=True, slots=True)
class FontFiles:
    """Where a family's regular and bold faces are (bold may be missing: then it is faked)."""

    name: str
    regular: Path
    bold: Path | None


def find_font_file(filename: str) -> Path | None:
    """The first file called ``filename`` in :data:`SEARCH_DIRS` (bundled fonts first)."""
    for folder in SEARCH_DIRS:
        direct = folder / filename
        if direct.is_file():
            return direct
        if folder.is_dir() and folder != BUNDLED_DIR:
            for hit in sorted(folder.rglob(filename)):
                return hit
    return None


def missing_chars(path: Path, chars: str = REQUIRED_CHARS) -> str:
    """The characters of ``chars`` that the font file has no glyph for."""
    font = pymupdf.Font(fontfile=str(path))
    return "".join(c for c in chars if not font.has_glyph(ord(c)))


@functools.lru_cache(maxsize=None)
def font_files(name: str) -> FontFiles:
    """Find a family by name and check it draws every Kazakh and Russian letter."""
    if name not in FAMILIES:
        raise ConfigError(f"Unknown font {name!r}; known fonts: {', '.join(FAMILIES)}.")
    regular_name, bold_name = FAMILIES[name]
    regular = find_font_file(regular_name)
    if regular is None:
        raise MissingDependencyError(
            f"Font {name!r} ({regular_name}) is not installed; install it "
            "(Debian: fonts-dejavu-core, fonts-freefont-ttf, fonts-noto-core) or use 'DejaVuSans', which is bundled."
        )
    missing = missing_chars(regular)
    if missing:
        raise ConfigError(f"Font {name!r} ({regular}) cannot draw {missing!r}; pick a font with Kazakh letters.")
    bold = find_font_file(bold_name)
    if bold is not None and missing_chars(bold):
        log.warning("bold face of %s lacks Kazakh letters; faking bold", name)
        bold = None
    return FontFiles(name=name, regular=regular, bold=bold)


def available_fonts() -> list[str]:
    """Names of the families that are installed here and draw every Kazakh letter."""
    names = []
    for name in FAMILIES:
        try:
            font_files(name)
        except (ConfigError, MissingDependencyError):
            continue
        names.append(name)
    return names


@functools.lru_cache(maxsize=256)
def _truetype(path: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size_px, layout_engine=ImageFont.Layout.BASIC)


@functools.lru_cache(maxsize=None)
def _glyph_set(path: str) -> frozenset[int]:
    font = pymupdf.Font(fontfile=path)
    return frozenset(font.valid_codepoints())


class Face:
    """One size and weight of a family, drawing text with a per-character fallback.

    Text is split into runs the face can draw and runs drawn with the bundled
    DejaVu Sans; lengths, ink boxes and drawing all follow those runs.
    """

    def __init__(self, files: FontFiles, size_px: int, *, bold: bool = False) -> None:
        self.name = files.name
        self.size_px = size_px
        path = files.bold if bold and files.bold is not None else files.regular
        self.fake_bold = bold and files.bold is None
        self.stroke = max(1, size_px // 40) if self.fake_bold else 0
        self.font = _truetype(str(path), size_px)
        self.glyphs = _glyph_set(str(path))
        fallback_name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
        self.fallback = _truetype(str(BUNDLED_DIR / fallback_name), size_px)
        ascent, descent = self.font.getmetrics()
        self.ascent = ascent
        self.descent = descent

    def _runs(self, text: str) -> list[tuple[str, ImageFont.FreeTypeFont]]:
        runs: list[tuple[str, ImageFont.FreeTypeFont]] = []
        for ch in text:
            font = self.font if (ord(ch) in self.glyphs or ch.isspace()) else self.fallback
            if runs and runs[-1][1] is font:
                runs[-1] = (runs[-1][0] + ch, font)
            else:
                runs.append((ch, font))
        return runs

    def length(self, text: str) -> float:
        """Advance width of ``text`` in pixels."""
        return sum(font.getlength(run) for run, font in self._runs(text)) + 2 * self.stroke * bool(text)

    def ink_box(self, text: str, x: float, baseline: float) -> tuple[int, int, int, int] | None:
        """Ink box of ``text`` drawn with its baseline origin at (x, baseline); None when blank."""
        box: tuple[int, int, int, int] | None = None
        for run, font in self._runs(text):
            if not run.isspace():
                x0, y0, x1, y1 = font.getbbox(run, anchor="ls", stroke_width=self.stroke)
                b = (int(x + x0), int(baseline + y0), int(x + x1 + 0.999), int(baseline + y1 + 0.999))
                box = b if box is None else (min(box[0], b[0]), min(box[1], b[1]), max(box[2], b[2]), max(box[3], b[3]))
            x += font.getlength(run)
        return box

    def draw(self, draw: object, text: str, x: float, baseline: float, *, fill: int = 0) -> None:
        """Draw ``text`` on a PIL ``ImageDraw`` with its baseline origin at (x, baseline)."""
        for run, font in self._runs(text):
            draw.text(  # type: ignore[attr-defined]
                (x, baseline), run, font=font, fill=fill, anchor="ls", stroke_width=self.stroke, stroke_fill=fill
            )
            x += font.getlength(run)
