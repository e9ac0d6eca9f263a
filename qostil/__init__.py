"""qostil: OCR and bilingual (Russian/Kazakh) alignment of scanned filings.

This package holds only what every stage shares: the records (`qostil.records`)
and the typed errors with their exit codes (`qostil.errors`).
"""

__version__ = "0.1.0"
