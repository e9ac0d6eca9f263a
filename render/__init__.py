"""A page renderer for tests and benchmarks (not the product path).

Lays Russian/Kazakh text out on A4 pages with a font that has every Kazakh
letter, draws tables as ruled grids, adds page furniture and stamps, degrades
the page like a scan, and keeps the exact ground truth of every page.

    from render import render_document, render_text_page, render_sample
    pages = render_sample(degrade="moderate", seed=1)
    pages[0].image      # numpy uint8, H x W, grayscale
    pages[0].text()     # the ground truth, one line per drawn line

``python -m render sample`` writes the bundled sample (``samples/inbox``, ``samples/scans``).
"""

from __future__ import annotations

from render.blocks import Block, Heading, ListItem, PageBreak, Paragraph, Signature, Spacer, Stamp, Table
from render.degrade import PRESETS, Step, degrade
from render.document import render_document, render_text_page
from render.fonts import KAZAKH_LETTERS, available_fonts, font_files
from render.layout import GtBlock, GtCell, GtLine, GtWord, RenderedPage, Style, page_size_px
from render.sample import render_sample, sample_blocks, write_sample
from render.source import parse_filing, source_tokens, strip_markup

__all__ = [
    "KAZAKH_LETTERS",
    "PRESETS",
    "Block",
    "GtBlock",
    "GtCell",
    "GtLine",
    "GtWord",
    "Heading",
    "ListItem",
    "PageBreak",
    "Paragraph",
    "RenderedPage",
    "Signature",
    "Spacer",
    "Stamp",
    "Step",
    "Style",
    "Table",
    "available_fonts",
    "degrade",
    "font_files",
    "page_size_px",
    "parse_filing",
    "render_document",
    "render_sample",
    "render_text_page",
    "sample_blocks",
    "source_tokens",
    "strip_markup",
    "write_sample",
]
