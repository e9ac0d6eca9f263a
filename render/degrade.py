"""Scan-like degradations of a rendered page, each a small seeded function.

Every function takes a grayscale uint8 image and a ``numpy.random.Generator``
and returns a new image of the same size, except :func:`downscale`, which
changes the resolution (a 200 DPI scan). Geometric steps (:func:`skew`,
:func:`downscale`) also report the 2x3 affine matrix that maps page pixels of
the input to the output, so the ground-truth boxes can follow.

Presets (:data:`PRESETS`):
- ``clean``: nothing.
- ``scan``: what the bundled PDF sample uses: skew up to 0.8 degrees, a light
  blur, ink at grey 30 on paper at grey 240 (as an office scanner gives).
- ``moderate``: skew up to 2 degrees, Gaussian noise, blur, JPEG artefacts.
- ``heavy``: skew up to 4 degrees, low contrast, ink spots, 200 DPI, salt and
  pepper on 1.5-3 % of the pixels (plain Tesseract: about 12 % CER on such a
  page; a median filter and Otsu threshold bring it to about 2 %).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from qostil.errors import ConfigError

log = logging.getLogger(__name__)

Affine = np.ndarray  # 2x3 float64


def identity() -> Affine:
    return np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def compose(second: Affine, first: Affine) -> Affine:
    """The affine that applies ``first`` then ``second``."""
    a = np.vstack([first, [0.0, 0.0, 1.0]])
    b = np.vstack([second, [0.0, 0.0, 1.0]])
    return (b @ a)[:2]


# --------------------------------------------------------------------------- steps


def skew_matrix(shape: tuple[int, ...], angle: float) -> Affine:
    """The rotation by ``angle`` degrees (counter-clockwise) about the page centre."""
    h, w = shape[:2]
    return cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, 1.0)


def skew(img: np.ndarray, angle: float) -> np.ndarray:
    """Rotate by ``angle`` degrees about the centre; same size, white where the page moved in."""
    m = skew_matrix(img.shape, angle)
    return cv2.warpAffine(
        img, m, (img.shape[1], img.shape[0]), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )


def gaussian_noise(img: np.ndarray, rng: np.random.Generator, *, sigma: float = 8.0) -> np.ndarray:
    """Add zero-mean Gaussian sensor noise of standard deviation ``sigma`` (grey levels)."""
    noise = rng.standard_normal(img.shape, dtype=np.float32) * np.float32(sigma)
    return np.clip(img.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def salt_and_pepper(img: np.ndarray, rng: np.random.Generator, *, amount: float = 0.004) -> np.ndarray:
    """Set a fraction ``amount`` of pixels to black or white at random."""
    out = img.copy()
    u = rng.random(img.shape)
    out[u < amount / 2] = 0
    out[(u >= amount / 2) & (u < amount)] = 255
    return out


def blur(img: np.ndarray, *, sigma: float = 0.8) -> np.ndarray:
    """Gaussian blur (out-of-focus or a soft scanner lens)."""
    return cv2.GaussianBlur(img, (0, 0), sigmaX=sigma, sigmaY=sigma)


def jpeg(img: np.ndarray, *, quality: int = 40) -> np.ndarray:
    """Encode and decode as JPEG at ``quality`` (block and ringing artefacts)."""
    ok, buf = cv2.imencode(".jpg", img, [int(cv2.IMWRITE_JPEG_QUALITY), int(quality)])
    if not ok:
        raise ConfigError(f"JPEG encoding failed at quality {quality}")
    return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)


def uneven_light(img: np.ndarray, rng: np.random.Generator, *, strength: float = 0.25) -> np.ndarray:
    """Multiply by a smooth illumination field: one side or corner up to ``strength`` darker."""
    h, w = img.shape[:2]
    sh, sw = max(2, h // 16), max(2, w // 16)  # the field is smooth: compute it small, then enlarge
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    ramp = (xx / sw - 0.5) * np.cos(angle) + (yy / sh - 0.5) * np.sin(angle)  # about -0.7..0.7
    cy, cx = rng.uniform(0.2, 0.8) * sh, rng.uniform(0.2, 0.8) * sw
    spot = np.exp(-(((xx - cx) / sw) ** 2 + ((yy - cy) / sh) ** 2) * 3)
    small = 1.0 - strength * np.clip(ramp + 0.5, 0, 1.2) / 1.2 * 0.8 - strength * 0.2 * (1 - spot)
    field_ = cv2.resize(small.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    return np.clip(img.astype(np.float32) * field_, 0, 255).astype(np.uint8)


def low_contrast(img: np.ndarray, *, black: int = 90, white: int = 215) -> np.ndarray:
    """Squeeze the grey range into [black, white] (a faded photocopy)."""
    f = img.astype(np.float32) / 255.0
    return np.clip(black + f * (white - black), 0, 255).round().astype(np.uint8)


def ink_spots(img: np.ndarray, rng: np.random.Generator, *, count: int = 12, max_radius_mm: float = 2.0,
              dpi: int = 300) -> np.ndarray:
    """Dark blots and specks: ``count`` random ellipses up to ``max_radius_mm`` across."""
    out = img.copy()
    h, w = img.shape[:2]
    rmax = max(2, int(max_radius_mm / 25.4 * dpi))
    for _ in range(count):
        cx, cy = int(rng.integers(0, w)), int(rng.integers(0, h))
        rx, ry = int(rng.integers(1, rmax + 1)), int(rng.integers(1, rmax + 1))
        shade = int(rng.integers(20, 110))
        cv2.ellipse(out, (cx, cy), (rx, ry), float(rng.uniform(0, 180)), 0, 360, shade, -1, lineType=cv2.LINE_AA)
    return out


def downscale_matrix(shape: tuple[int, ...], scale: float) -> tuple[Affine, tuple[int, int]]:
    h, w = shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    sx, sy = size[0] / w, size[1] / h
    return np.array([[sx, 0.0, 0.0], [0.0, sy, 0.0]]), size


def downscale(img: np.ndarray, *, dpi: int, to_dpi: int = 200) -> np.ndarray:
    """Resample from ``dpi`` to ``to_dpi`` (area interpolation, like a lower-resolution scan)."""
    _, size = downscale_matrix(img.shape, to_dpi / dpi)
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


# --------------------------------------------------------------------------- presets


@dataclass(frozen=True, slots=True)
class Step:
    """One degradation in a preset: a name from :data:`STEPS` and its parameters.

    A parameter given as a ``(low, high)`` tuple is drawn uniformly from the
    page's generator; ``skew`` angles are drawn from ``(-max, max)``.
    """

    name: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Degraded:
    """A degraded image, the affine from input to output pixels, the dpi after, and what was applied."""

    image: np.ndarray
    matrix: Affine
    dpi: int
    applied: tuple[tuple[str, dict[str, Any]], ...]


PRESETS: dict[str, tuple[Step, ...]] = {
    "clean": (),
    "scan": (
        Step("skew", {"max_angle": 0.8}),
        Step("blur", {"sigma": 0.8}),
        Step("low_contrast", {"black": 30, "white": 240}),
    ),
    "moderate": (
        Step("skew", {"max_angle": 2.0}),
        Step("blur", {"sigma": (0.6, 0.9)}),
        Step("gaussian_noise", {"sigma": (6.0, 10.0)}),
        Step("jpeg", {"quality": (35, 55)}),
    ),
    "heavy": (
        Step("skew", {"max_angle": 4.0}),
        Step("low_contrast", {"black": (80, 110), "white": (190, 215)}),
        Step("ink_spots", {"count": (10, 20)}),
        Step("downscale", {"to_dpi": 200}),
        Step("salt_and_pepper", {"amount": (0.015, 0.03)}),
    ),
}

STEPS: dict[str, Callable[..., np.ndarray]] = {
    "skew": skew,
    "gaussian_noise": gaussian_noise,
    "salt_and_pepper": salt_and_pepper,
    "blur": blur,
    "jpeg": jpeg,
    "uneven_light": uneven_light,
    "low_contrast": low_contrast,
    "ink_spots": ink_spots,
    "downscale": downscale,
}

_USES_RNG = {"gaussian_noise", "salt_and_pepper", "uneven_light", "ink_spots"}
_USES_DPI = {"ink_spots", "downscale"}
_INT_PARAMS = {"quality", "count", "black", "white", "to_dpi"}


def _draw(name: str, params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key == "max_angle":
            angle = float(rng.uniform(-value, value))
            out["angle"] = round(angle, 4)
        elif isinstance(value, tuple):
            low, high = value
            if key in _INT_PARAMS:
                out[key] = int(rng.integers(int(low), int(high) + 1))
            else:
                out[key] = round(float(rng.uniform(low, high)), 4)
        else:
            out[key] = value
    return out


def steps_for(preset: str | tuple[Step, ...] | list[Step]) -> tuple[Step, ...]:
    """The steps of a preset name, or the steps themselves."""
    if isinstance(preset, str):
        if preset not in PRESETS:
            raise ConfigError(f"Unknown degradation preset {preset!r}; known: {', '.join(PRESETS)}.")
        return PRESETS[preset]
    for step in preset:
        if step.name not in STEPS:
            raise ConfigError(f"Unknown degradation step {step.name!r}; known: {', '.join(STEPS)}.")
    return tuple(preset)


def degrade(
    img: np.ndarray,
    preset: str | tuple[Step, ...] | list[Step] = "clean",
    *,
    dpi: int = 300,
    rng: np.random.Generator | None = None,
    seed: int = 0,
) -> Degraded:
    """Apply a preset's steps in order with one generator (``rng``, or one seeded from ``seed``)."""
    rng = rng if rng is not None else np.random.default_rng(seed)
    matrix = identity()
    applied: list[tuple[str, dict[str, Any]]] = []
    out = img
    for step in steps_for(preset):
        params = _draw(step.name, step.params, rng)
        kwargs = dict(params)
        if step.name in _USES_RNG:
            kwargs["rng"] = rng
        if step.name in _USES_DPI:
            kwargs["dpi"] = dpi
        if step.name == "skew":
            matrix = compose(skew_matrix(out.shape, params["angle"]), matrix)
            out = skew(out, params["angle"])
        elif step.name == "downscale":
            to_dpi = int(params.get("to_dpi", 200))
            m, _ = downscale_matrix(out.shape, to_dpi / dpi)
            out = downscale(out, dpi=dpi, to_dpi=to_dpi)
            matrix = compose(m, matrix)
            dpi = to_dpi
        else:
            out = STEPS[step.name](out, **kwargs)
        applied.append((step.name, params))
    log.debug("degraded with %s", applied)
    return Degraded(image=np.ascontiguousarray(out), matrix=matrix, dpi=dpi, applied=tuple(applied))
