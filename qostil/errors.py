"""Typed errors and exit codes (after OCRmyPDF's ``exceptions.py``).

Every failure a user can meet has a subclass of :class:`QostilError` with an
``exit_code`` and a ``message`` that says what to do about it. Nothing in
qostil raises a bare ``Exception``.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes of the ``qostil`` command. Documented in the README."""

    ok = 0
    bad_args = 1
    input_file = 2
    missing_dependency = 3
    ocr_error = 4
    model_error = 5
    alignment_error = 6
    config_error = 7
    batch_incomplete = 8
    quarantined = 9
    already_running = 10
    other_error = 15
    ctrl_c = 130


class QostilError(Exception):
    """Base of every qostil error: carries an exit code and a fix-it message."""

    exit_code: ExitCode = ExitCode.other_error
    message: str = ""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message

    def __str__(self) -> str:
        return self.message or self.__class__.__name__


class InputFileError(QostilError):
    """The input file cannot be read as a document (corrupt, empty, wrong type...)."""

    exit_code = ExitCode.input_file
    message = "The input file could not be read as a document."


class EncryptedInputError(InputFileError):
    """A password-protected PDF: ask the sender for an unprotected copy."""

    message = "The PDF is password-protected; ask the sender for an unprotected copy."


class InputTooLargeError(InputFileError):
    """Too many pages, too many pixels or too many bytes for the configured limits."""

    message = "The file exceeds a configured size limit."


class PageTimeoutError(InputTooLargeError):
    """A page kept Tesseract busy past the per-page time limit on every attempt."""

    message = "A page took longer than the per-page OCR time limit on every attempt."


class MissingDependencyError(QostilError):
    """An external program or its data (Tesseract, language packs) is missing."""

    exit_code = ExitCode.missing_dependency
    message = "A required program is missing."


class OcrEngineError(QostilError):
    """Tesseract ran but failed."""

    exit_code = ExitCode.ocr_error
    message = "Tesseract failed on a page."


class OcrTimeoutError(OcrEngineError):
    """Tesseract ran past the per-page time limit once; worth another try (the machine may be busy)."""

    message = "Tesseract ran past the per-page time limit."


class ModelLoadError(QostilError):
    """The sentence encoder could not be built, found or loaded."""

    exit_code = ExitCode.model_error
    message = "The sentence encoder could not be loaded; run `qostil models build` or `qostil doctor`."


class AlignmentError(QostilError):
    """The aligner was given input it cannot align."""

    exit_code = ExitCode.alignment_error
    message = "The paragraphs could not be aligned."


class ConfigError(QostilError):
    """A setting (file, environment variable or option) is invalid."""

    exit_code = ExitCode.config_error
    message = "A configuration value is invalid."


class AlreadyRunningError(QostilError):
    """Another ingestion run holds the output folder's lock."""

    exit_code = ExitCode.already_running
    message = "Another qostil run is working on this output folder; wait for it to finish."
