"""Short summaries of a document for the Prefect UI: a markdown table of findings and table rows.

Scan text is escaped for markdown (pipes, brackets, emphasis marks, HTML
angle brackets) and cut short, so a page that reads ``<script>`` or ``| x |``
cannot break the table or inject markup into the UI.
"""

from __future__ import annotations

import re
from collections import Counter

from publish.document import PublishedDocument
from publish.html import CAUSE_LABELS, SEVERITY_ORDER

MAX_CELL = 80
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}()#+!|~])")


def md_cell(text: str | None, *, limit: int = MAX_CELL) -> str:
    """``text`` made safe for one markdown table cell."""
    if not text:
        return ""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def artifact_key(doc: PublishedDocument, what: str) -> str:
    """A Prefect artifact key for ``doc`` (lowercase letters, digits and dashes only)."""
    return f"qostil-{doc.short_id}-{re.sub(r'[^a-z0-9-]+', '-', what.lower())}"


def findings_markdown(doc: PublishedDocument, *, report_link: str | None = None) -> str:
    """A markdown summary: counts, then one table row per finding (most severe first)."""
    sev = Counter(f.severity for f in doc.findings)
    lines = [
        f"### {md_cell(doc.name)}",
        "",
        f"{doc.pages} page(s), {len(doc.ru)} RU / {len(doc.kk)} KK paragraphs, {len(doc.pairs)} pairs, "
        f"**{len(doc.findings)} finding(s)**: " + ", ".join(f"{sev.get(s, 0)} {s}" for s in SEVERITY_ORDER),
        "",
    ]
    if report_link:
        lines += [f"[Open the report]({report_link.replace(')', '%29').replace(' ', '%20')})", ""]
    if doc.findings:
        lines += ["| severity | kind | cause | RU | KK | message | id |", "|---|---|---|---|---|---|---|"]
        order = {s: i for i, s in enumerate(SEVERITY_ORDER)}
        for f in sorted(doc.findings, key=lambda f: order.get(f.severity, 9)):
            texts = {"ru": "", "kk": ""}
            for m in (f.left, f.right):
                if m is not None and not texts.get(m.lang):
                    texts[m.lang] = (f"p.{m.page}: " if m.page else "") + m.text
            lines.append(
                f"| {f.severity} | {md_cell(f.kind)} | {md_cell(CAUSE_LABELS.get(f.cause, f.cause))} "
                f"| {md_cell(texts['ru'])} | {md_cell(texts['kk'])} | {md_cell(f.message, limit=160)} | {md_cell(f.id)} |"
            )
    return "\n".join(lines) + "\n"
