"""How a local run orders its documents, and how publishing a document survives a failure that passes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from prefect import flow

import flows.pipeline as pipeline
from align.split import BilingualParts
from flows.documents import DocumentInfo
from flows.outputs import is_done
from flows.pipeline import _Scheduled, longest_first, publish_document
from publish.demo import build_demo


def _info(name: str, pages: int, kind: str = "scan") -> DocumentInfo:
    return DocumentInfo(path=f"/inbox/{name}", doc_id=name * 8, kind=kind, pages=pages)


def test_documents_start_longest_first_and_in_inbox_order_among_equals():
    docs = [_Scheduled(_info(n, p)) for n, p in (("a", 1), ("b", 5), ("c", 2), ("d", 5), ("e", 3), ("f", 1))]
    assert [d.info.path[-1] for d in longest_first(docs)] == ["b", "d", "e", "c", "a", "f"]
    assert [d.info.path[-1] for d in docs] == ["a", "b", "c", "d", "e", "f"]  # the caller's list is left as it was


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    doc = build_demo(folder)
    info = DocumentInfo(path=doc.source, doc_id=doc.doc_id, kind="scan", pages=doc.pages)
    parts = BilingualParts(ru=list(doc.ru), kk=list(doc.kk), other=[])
    return info, parts, doc


@flow
def _publish(info, parts, doc, out_dir: str):  # noqa: ANN001, ANN202 - a test flow around the function
    return publish_document(info, parts, list(doc.pairs), list(doc.findings), out_dir, doc.dpi)


def test_publishing_tries_again_after_a_failure_that_passes(demo, tmp_path, prefect_server, monkeypatch, caplog):
    """A real fault: the document's folder name is taken by a file (an OS error on the first write);
    the file goes away after that try, and the second try publishes the document, stored once."""
    info, parts, doc = demo
    monkeypatch.setattr(pipeline, "PUBLISH_RETRY_DELAYS", (1.0, 1.0))
    out = tmp_path / "out"
    out.mkdir()
    blocker = out / info.doc_id
    blocker.write_text("not a folder")
    tries = []
    real = pipeline._publish_once

    def watched(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - the real step; the file goes after the first try
        tries.append(1)
        try:
            return real(*args, **kwargs)
        finally:
            if blocker.is_file():
                blocker.unlink()

    monkeypatch.setattr(pipeline, "_publish_once", watched)
    result = _publish(info, parts, doc, str(out))
    assert len(tries) == 2
    assert is_done(out, info.doc_id) and result.discrepancies == len(doc.findings) > 0
    assert "publishing failed" in caplog.text and "trying again in 1 s" in caplog.text
    with sqlite3.connect(out / "qostil.db") as db:  # stored on each try, replaced, never duplicated
        assert db.execute("SELECT count(*) FROM documents").fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM findings").fetchone() == (len(doc.findings),)


def test_publishing_gives_up_after_its_tries_and_at_once_on_what_will_not_pass(demo, tmp_path, prefect_server, monkeypatch):
    info, parts, doc = demo
    monkeypatch.setattr(pipeline, "PUBLISH_RETRY_DELAYS", (0.1, 0.1))
    out = tmp_path / "out"
    out.mkdir()
    (out / info.doc_id).write_text("not a folder")  # stays: every try fails
    with pytest.raises(OSError):
        _publish(info, parts, doc, str(out))
    assert not is_done(out, info.doc_id)

    tries = []

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - a bug in a publisher: no retry helps
        tries.append(1)
        raise KeyError("a bug")

    monkeypatch.setattr(pipeline, "_publish_once", broken)
    with pytest.raises(KeyError):
        _publish(info, parts, doc, str(tmp_path / "out2"))
    assert len(tries) == 1
    assert not Path(tmp_path / "out2" / info.doc_id / "done.json").exists()
