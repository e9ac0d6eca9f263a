"""Degradations: each changes the page, keeps its size (but the 200 DPI rescale), and is reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from render import PRESETS, Step, render_document, render_text_page
from render import degrade as degrade_fn
from render.blocks import Paragraph
from render.degrade import (
    blur,
    gaussian_noise,
    ink_spots,
    jpeg,
    low_contrast,
    salt_and_pepper,
    skew,
    uneven_light,
)

TEXT = (
    "Эмитенттің Директорлар кеңесі 7 (жеті) Директорлар кеңесі мүшесінен және оның Төрағасынан тұрады, "
    "олар дауыс берер кезде бір дауысқа ие болады. Совет Директоров эмитента состоит из 7 (семи) членов."
)


@pytest.fixture(scope="module")
def clean():
    return render_text_page(TEXT * 3)


STEPS = {
    "skew": lambda img, rng: skew(img, 1.5),
    "gaussian_noise": lambda img, rng: gaussian_noise(img, rng, sigma=8),
    "salt_and_pepper": lambda img, rng: salt_and_pepper(img, rng, amount=0.005),
    "blur": lambda img, rng: blur(img, sigma=0.8),
    "jpeg": lambda img, rng: jpeg(img, quality=40),
    "uneven_light": lambda img, rng: uneven_light(img, rng, strength=0.25),
    "low_contrast": lambda img, rng: low_contrast(img, black=90, white=215),
    "ink_spots": lambda img, rng: ink_spots(img, rng, count=10),
}


@pytest.mark.parametrize("name", sorted(STEPS))
def test_each_step_changes_the_image_and_keeps_its_size(clean, name: str) -> None:
    out = STEPS[name](clean.image, np.random.default_rng(1))
    assert out.shape == clean.image.shape and out.dtype == np.uint8
    assert not np.array_equal(out, clean.image)


@pytest.mark.parametrize("name", sorted(STEPS))
def test_each_step_is_reproducible_with_the_same_seed(clean, name: str) -> None:
    a = STEPS[name](clean.image, np.random.default_rng(7))
    b = STEPS[name](clean.image, np.random.default_rng(7))
    assert a.tobytes() == b.tobytes()


def test_low_contrast_squeezes_the_grey_range(clean) -> None:
    out = low_contrast(clean.image, black=90, white=215)
    assert out.min() == 90 and out.max() == 215


def test_heavy_preset_rescales_to_200_dpi_and_moves_the_boxes(clean) -> None:
    page = render_text_page(TEXT * 3, degrade="heavy", seed=3)
    assert page.dpi == 200 and page.size == (1653, 2339)  # 2480 x 3508 px resampled by 2/3
    assert set(page.params) == {"skew", "low_contrast", "ink_spots", "downscale", "salt_and_pepper"}
    assert abs(page.params["skew"]["angle"]) <= 4
    # the ground-truth boxes still sit on the ink: darker inside the word boxes than on the page at large
    inside = np.concatenate([page.image[w.bbox.y0 : w.bbox.y1, w.bbox.x0 : w.bbox.x1].ravel()
                             for line in page.lines for w in line.words])
    assert inside.mean() < page.image.mean() - 15


@pytest.mark.parametrize("preset", ["moderate", "scan"])
def test_presets_keep_300_dpi_size_and_limit_the_skew(clean, preset: str) -> None:
    page = render_text_page(TEXT * 3, degrade=preset, seed=5)
    assert page.size == clean.size and page.dpi == 300
    assert abs(page.params["skew"]["angle"]) <= (2.0 if preset == "moderate" else 0.8)
    assert not np.array_equal(page.image, clean.image)


def test_moderate_skew_moves_word_boxes_with_the_text(clean) -> None:
    page = render_text_page(TEXT * 3, degrade=(Step("skew", {"max_angle": 2.0}),), seed=11)
    for line in page.lines:
        for w in line.words:
            crop = page.image[w.bbox.y0 : w.bbox.y1, w.bbox.x0 : w.bbox.x1]
            assert crop.size and crop.min() < 100, w.text


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    blocks = [Paragraph(TEXT * 4)]
    a = render_document(blocks, degrade="moderate", seed=42)
    b = render_document(blocks, degrade="moderate", seed=42)
    c = render_document(blocks, degrade="moderate", seed=43)
    assert [p.image.tobytes() for p in a] == [p.image.tobytes() for p in b]
    assert [p.gt_json() for p in a] == [p.gt_json() for p in b]
    assert a[0].image.tobytes() != c[0].image.tobytes()
    assert a[0].text() == c[0].text()  # degradations never change the words


def test_presets_are_what_the_benchmark_expects() -> None:
    names = {name: [s.name for s in steps] for name, steps in PRESETS.items()}
    assert names["clean"] == []
    assert {"skew", "gaussian_noise", "blur", "jpeg"} <= set(names["moderate"])
    assert {"skew", "salt_and_pepper", "low_contrast", "ink_spots", "downscale"} <= set(names["heavy"])


def test_unknown_preset_is_a_config_error(clean) -> None:
    from qostil.errors import ConfigError

    with pytest.raises(ConfigError):
        degrade_fn(clean.image, "wrinkled")
