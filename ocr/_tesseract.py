"""The one module that runs Tesseract: its C++ API through tesserocr, one loaded engine per thread.

Why the API and not the ``tesseract`` command (pytesseract): every command run loads the
language models again (0.1–0.3 s for ``rus+kaz+eng``), writes the image to a file and
parses text back; a page's doubtful lines are re-read one by one, so those loads added up.
Here each thread keeps its engines (one per language set) for as long as it lives, hands
them the pixels directly, and the GIL is released while Tesseract works.

Every call takes keyword arguments only. A missing tesserocr or missing language data
becomes :class:`MissingDependencyError` with the command that installs it; a failed run
becomes :class:`OcrEngineError`; a run stopped by its time limit gives an empty result
flagged ``timed_out`` so the caller can return an empty page with a warning instead of
failing the document.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qostil.errors import MissingDependencyError, OcrEngineError

log = logging.getLogger(__name__)

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-rus tesseract-ocr-kaz"
# tesserocr's wheel has no OpenMP: one page is read on its caller's thread. (``OMP_THREAD_LIMIT`` is not
# set here: it would also keep the encoder from the idle worker threads a run lends it, models/threads.py.)

_LANG_PACKAGES = {"rus": "tesseract-ocr-rus", "kaz": "tesseract-ocr-kaz", "osd": "tesseract-ocr-osd", "eng": "tesseract-ocr-eng"}
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)
"""Where distributions put the language data, tried in order when ``TESSDATA_PREFIX`` is not set."""


@dataclass(frozen=True, slots=True)
class TsvWord:
    """One word of Tesseract's TSV output."""

    text: str
    conf: float
    left: int
    top: int
    width: int
    height: int
    block: int
    par: int
    line: int
    word: int


@dataclass(frozen=True, slots=True)
class TsvResult:
    """The words Tesseract found, in its reading order; ``timed_out`` when it was stopped."""

    words: tuple[TsvWord, ...]
    timed_out: bool = False


@dataclass(frozen=True, slots=True)
class Orientation:
    """Tesseract OSD: degrees to rotate the image clockwise to make it upright, and how sure."""

    rotate: int
    confidence: float
    script: str = ""


def _tesserocr():  # -> module
    try:
        import tesserocr
    except ImportError as e:
        raise MissingDependencyError(
            f"The Tesseract API binding is missing ({e}); install it with: pip install tesserocr"
        ) from e
    return tesserocr


@functools.cache
def tessdata_dir() -> Path:
    """The folder of ``*.traineddata`` files: ``TESSDATA_PREFIX`` (the folder or its parent), else the
    first of :data:`TESSDATA_DIRS` that has ``rus.traineddata``."""
    env = os.environ.get("TESSDATA_PREFIX")
    candidates = [Path(env), Path(env) / "tessdata"] if env else [Path(d) for d in TESSDATA_DIRS]
    for folder in candidates:
        if any(folder.glob("*.traineddata")) and (env or (folder / "rus.traineddata").is_file()):
            return folder
    where = f"TESSDATA_PREFIX={env}" if env else ", ".join(TESSDATA_DIRS)
    raise MissingDependencyError(f"No Tesseract language data found in {where}; install it with: {INSTALL_HINT}")


@functools.cache
def version() -> str:
    """The Tesseract library's version, e.g. ``5.5.4``."""
    text = _tesserocr().tesseract_version()
    m = re.search(r"tesseract\s+(\S+)", text)
    return m.group(1) if m else text.split()[0]


@functools.cache
def get_languages() -> tuple[str, ...]:
    """The language data installed in :func:`tessdata_dir` (``rus``, ``kaz``, ``osd``...)."""
    return tuple(sorted(p.name.removesuffix(".traineddata") for p in tessdata_dir().glob("*.traineddata")))


def check_languages(*, lang: str) -> None:
    """Raise :class:`MissingDependencyError` naming the package for each language of ``lang`` not installed."""
    have = set(get_languages())
    missing = [code for code in lang.split("+") if code and code not in have]
    if missing:
        pkgs = " ".join(_LANG_PACKAGES.get(m, f"tesseract-ocr-{m}") for m in missing)
        raise MissingDependencyError(
            f"Tesseract has no language data for {', '.join(missing)} in {tessdata_dir()}; install it with: "
            f"apt-get install {pkgs} (all of qostil's: {INSTALL_HINT})"
        )


_local = threading.local()


def _engine(lang: str):  # -> tesserocr.PyTessBaseAPI
    """This thread's engine for ``lang``, loaded on first use and kept (models load once per thread)."""
    engines: dict[str, object] = _local.__dict__.setdefault("engines", {})
    api = engines.get(lang)
    if api is None:
        check_languages(lang=lang)
        tesserocr = _tesserocr()
        path = str(tessdata_dir()) + os.sep
        try:
            api = tesserocr.PyTessBaseAPI(path=path, lang=lang, init=True)
        except RuntimeError as e:
            raise OcrEngineError(f"Tesseract could not load {lang!r} from {path}: {e}") from e
        engines[lang] = api
    return api


@contextmanager
def _image(api, image: np.ndarray, dpi: int) -> Iterator[None]:  # noqa: ANN001
    """``image`` (uint8 gray or RGB) handed to ``api`` without encoding it, for the block; the buffer
    Tesseract reads from stays alive until then, and the engine is cleared after (also on errors)."""
    img = np.ascontiguousarray(image if image.dtype == np.uint8 else np.clip(image, 0, 255).astype(np.uint8))
    if img.ndim == 3 and img.shape[2] == 4:
        img = np.ascontiguousarray(img[:, :, :3])
    h, w = img.shape[:2]
    bpp = 1 if img.ndim == 2 else img.shape[2]
    buf = img.tobytes()
    api.SetImageBytes(buf, w, h, bpp, w * bpp)
    api.SetSourceResolution(int(dpi))
    try:
        yield
    finally:
        api.Clear()
        del buf


def _parse_tsv(tsv: str) -> tuple[TsvWord, ...]:
    words = []
    for row in tsv.splitlines():
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[11].strip():
            continue
        words.append(TsvWord(
            text=f[11].strip(), conf=max(0.0, float(f[10])), left=int(f[6]), top=int(f[7]), width=int(f[8]),
            height=int(f[9]), block=int(f[2]), par=int(f[3]), line=int(f[4]), word=int(f[5]),
        ))
    return tuple(words)


def image_to_data(
    *,
    image: np.ndarray,
    lang: str = "rus+kaz",
    psm: int = 3,
    timeout: float = 0,
    dpi: int = 300,
    variables: Mapping[str, str] | None = None,
) -> TsvResult:
    """Run Tesseract on one image and return its words with boxes and confidences.

    ``timeout`` in seconds (0: none). A timeout returns an empty, ``timed_out`` result.
    ``variables`` are Tesseract parameters for this run (e.g. ``tessedit_do_invert``).
    """
    if image.size == 0:
        return TsvResult(words=())
    api = _engine(lang)
    api.SetPageSegMode(int(psm))
    for name, value in (variables or {}).items():
        if not api.SetVariable(name, str(value)):
            raise OcrEngineError(f"Tesseract has no parameter {name!r}")
    with _image(api, image, dpi):
        started = time.perf_counter()
        if api.Recognize(int(timeout * 1000)) if timeout else api.Recognize():
            return TsvResult(words=_parse_tsv(api.GetTSVText(0)))
        elapsed = time.perf_counter() - started
    if timeout and elapsed >= 0.9 * timeout:
        log.warning("[tesseract] stopped after %.1f s (limit %ss); the image is left unread", elapsed, timeout)
        return TsvResult(words=(), timed_out=True)
    raise OcrEngineError(f"Tesseract could not read a {image.shape[1]}×{image.shape[0]} image")


def detect_orientation(*, image: np.ndarray, dpi: int = 300) -> Orientation | None:
    """Tesseract OSD on one image; None when there is too little text to tell or no ``osd`` data."""
    if "osd" not in get_languages():
        log.warning("[tesseract] no 'osd' data installed (apt-get install tesseract-ocr-osd); orientation not checked")
        return None
    api = _engine("osd")
    api.SetPageSegMode(0)  # PSM.OSD_ONLY
    with _image(api, image, dpi):
        result = api.DetectOrientationScript()
    if not result:
        log.debug("[tesseract] OSD gave no answer (too few characters)")
        return None
    # Tesseract reports how the image is turned; the page is made upright by turning it back
    return Orientation(
        rotate=(360 - int(result["orient_deg"])) % 360,
        confidence=float(result.get("orient_conf", 0.0)),
        script=str(result.get("script_name", "")),
    )
