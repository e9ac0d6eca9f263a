"""Fonts: every Kazakh letter is really drawn, by the bundled font and by each supported family."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from qostil.errors import ConfigError, MissingDependencyError
from render.fonts import BUNDLED_DIR, FAMILIES, KAZAKH_LETTERS, Face, font_files, missing_chars

# Kazakh letter -> the Russian letter it is most often confused with
LOOKALIKES = {"ә": "э", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "н", "і": "и",
              "Ә": "Э", "Ғ": "Г", "Қ": "К", "Ң": "Н", "Ө": "О", "Ұ": "У", "Ү": "У", "Һ": "Н", "І": "И"}


def glyph(face: Face, ch: str) -> np.ndarray:
    img = Image.new("L", (120, 120), 255)
    face.draw(ImageDraw.Draw(img), ch, 20, 90)
    return np.asarray(img)


def test_bundled_font_files_are_in_the_package() -> None:
    files = font_files("DejaVuSans")
    assert files.regular.parent == BUNDLED_DIR
    assert files.bold is not None and files.bold.parent == BUNDLED_DIR
    assert (BUNDLED_DIR / "LICENSE-DejaVu.txt").is_file()


@pytest.mark.parametrize("bold", [False, True])
def test_bundled_font_draws_each_kazakh_letter_distinctly(bold: bool) -> None:
    files = font_files("DejaVuSans")
    assert missing_chars(files.regular, KAZAKH_LETTERS) == ""
    face = Face(files, 60, bold=bold)
    notdef = glyph(face, "\U000e0100")  # a code point no font here has: the .notdef box
    for kk, ru in LOOKALIKES.items():
        drawn = glyph(face, kk)
        assert (drawn < 128).sum() > 20, kk
        assert not np.array_equal(drawn, notdef), f"{kk} drawn as .notdef"
        assert not np.array_equal(drawn, glyph(face, ru)), f"{kk} looks exactly like {ru}"


def test_at_least_three_families_draw_kazakh_here() -> None:
    usable = []
    for name in FAMILIES:
        try:
            files = font_files(name)
        except (ConfigError, MissingDependencyError):
            continue
        assert missing_chars(files.regular, KAZAKH_LETTERS) == ""
        usable.append(name)
    assert "DejaVuSans" in usable
    if len(usable) < 3:
        pytest.skip(f"only {usable} installed; install fonts-dejavu-core fonts-freefont-ttf fonts-noto-core")
    assert len(usable) >= 3


def test_a_family_without_kazakh_letters_is_refused() -> None:
    try:
        font_files("LiberationSerif")
    except MissingDependencyError:
        pytest.skip("Liberation fonts not installed")
    except ConfigError as e:
        assert "cannot draw" in str(e)
    else:  # a future Liberation with Kazakh letters is fine too
        assert missing_chars(font_files("LiberationSerif").regular, KAZAKH_LETTERS) == ""


def test_unknown_font_name_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="Unknown font"):
        font_files("ComicSans")


def test_symbols_missing_from_a_family_fall_back_to_the_bundled_font() -> None:
    try:
        files = font_files("DejaVuSerif")  # has no ☎
    except MissingDependencyError:
        pytest.skip("DejaVu Serif not installed")
    face = Face(files, 60)
    assert (glyph(face, "☎") < 128).sum() > 50
