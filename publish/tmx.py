"""TMX 1.4b of a document's aligned pairs (``ru-KZ`` → ``kk-KZ``) for CAT tools.

Only pairs with text on both sides become translation units. The XML is built
with ElementTree (so every scan text is escaped) after removing the control
characters XML 1.0 cannot hold.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from publish.document import PublishedDocument, pair_shape, pair_texts

RU_LANG = "ru-KZ"
KK_LANG = "kk-KZ"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return _XML_INVALID.sub(" ", text)


def _tuv(tu: ET.Element, lang: str, text: str) -> None:
    tuv = ET.SubElement(tu, "tuv", {_XML_LANG: lang})
    ET.SubElement(tuv, "seg").text = xml_text(text)


def document_tmx(doc: PublishedDocument, *, created: datetime | None = None, tool_version: str = "0.1.0") -> str:
    """The TMX file of ``doc`` as a string (UTF-8 XML declaration included)."""
    stamp = (created or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    root = ET.Element("tmx", {"version": "1.4"})
    ET.SubElement(
        root,
        "header",
        {
            "creationtool": "qostil",
            "creationtoolversion": tool_version,
            "segtype": "paragraph",
            "o-tmf": "qostil",
            "adminlang": "en",
            "srclang": RU_LANG,
            "datatype": "plaintext",
            "creationdate": stamp,
        },
    )
    body = ET.SubElement(root, "body")
    for n, pair in enumerate(doc.pairs):
        if not (pair.ru and pair.kk):
            continue
        ru_text, kk_text = pair_texts(doc, pair)
        tu = ET.SubElement(body, "tu", {"tuid": f"{doc.short_id}-{n:04d}", "creationdate": stamp})
        for key, value in (
            ("x-doc-id", doc.doc_id),
            ("x-source", doc.name),
            ("x-pair", str(n)),
            ("x-shape", pair_shape(pair)),
            ("x-score", f"{pair.score:.4f}"),
        ):
            ET.SubElement(tu, "prop", {"type": key}).text = xml_text(value)
        _tuv(tu, RU_LANG, ru_text)
        _tuv(tu, KK_LANG, kk_text)
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
