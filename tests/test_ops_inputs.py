"""Operations without OCR: the bad-input corpus sorted by the cheap checks, quarantine notes, settings, locks.

The corpus is generated here (``make_*``) and reused by ``test_flows_ops.py``.
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from flows.config import RunConfig
from flows.documents import HashCache, file_sha256
from flows.inbox import plan_inbox
from flows.quarantine import REASON_SUFFIX, is_permanent, is_transient, quarantine_file, safe_name
from flows.recovery import run_lock, sweep_incomplete
from flows.settings import load_settings, with_overrides
from qostil.errors import (
    AlreadyRunningError,
    ConfigError,
    EncryptedInputError,
    ExitCode,
    InputFileError,
    InputTooLargeError,
    OcrEngineError,
    OcrTimeoutError,
    PageTimeoutError,
)

WEIRD_NAME = "отчёт ..%2F test ..\\ file.png"


# --- the corpus --------------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width``×``height`` pixels, with a tiny (wrong) body."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def pdf_bytes(pages: int, *, text: str = "") -> bytes:
    import pymupdf

    doc = pymupdf.open()
    for i in range(pages):
        page = doc.new_page(width=200, height=280)
        if text:
            page.insert_text((20, 40), f"{text} {i + 1}", fontsize=9)
    data = doc.tobytes()
    doc.close()
    return data


def encrypted_pdf() -> bytes:
    import pymupdf

    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret filing")
    data = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="user", owner_pw="owner")
    doc.close()
    return data


def save_png(path: Path, image: np.ndarray, dpi: int = 200) -> Path:
    Image.fromarray(image).save(path, dpi=(dpi, dpi))
    return path


def make_bad_corpus(inbox: Path) -> dict[str, str]:
    """Write every permanently bad file into ``inbox``; return name → a word the quarantine reason must hold."""
    whole = pdf_bytes(2, text="Truncated filing")
    files = {
        "zero-bytes.pdf": (b"", "empty"),
        "truncated.pdf": (whole[: len(whole) // 2], "truncated"),
        "random-bytes.pdf": (np.random.default_rng(7).bytes(4096), "not a PDF"),
        "password.pdf": (encrypted_pdf(), "password"),
        "bomb.png": (png_declaring(100_000, 100_000), "too many pixels"),
        "zero-size.png": (png_declaring(0, 0), "damaged"),
        "three-hundred-pages.pdf": (pdf_bytes(300), "300 pages"),
    }
    for name, (data, _) in files.items():
        (inbox / name).write_bytes(data)
    return {name: word for name, (_, word) in files.items()}


#: Limits under which the corpus above is bad (300 pages over a 100-page limit).
CORPUS_LIMITS = {"max_pages": 100}


# --- the cheap checks sort the corpus -------------------------------------------------------------


def test_every_bad_file_is_rejected_by_the_cheap_checks_with_a_clear_reason(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    expected = make_bad_corpus(inbox)
    (inbox / "note.txt").write_text("Совет директоров.\n\nДиректорлар кеңесі.\n", encoding="utf-8")
    plan = plan_inbox(inbox, out, RunConfig(**CORPUS_LIMITS))
    assert [Path(d.path).name for d in plan.todo] == ["note.txt"]
    reasons = {r.path.name: r.error for r in plan.rejected}
    assert set(reasons) == set(expected)
    for name, word in expected.items():
        assert word.lower() in str(reasons[name]).lower(), (name, str(reasons[name]))
        assert is_permanent(reasons[name])
    assert isinstance(reasons["password.pdf"], EncryptedInputError)
    assert isinstance(reasons["bomb.png"], InputTooLargeError)
    assert isinstance(reasons["three-hundred-pages.pdf"], InputTooLargeError)


@pytest.mark.parametrize(
    ("limit", "value", "data", "word"),
    [
        ("max_file_bytes", 200, pdf_bytes(1, text="page"), "MiB limit"),
        ("max_page_pixels", 1_000_000, None, "Mpx limit"),
        ("max_pages", 2, pdf_bytes(3, text="page"), "3 pages is over the 2-page limit"),
    ],
)
def test_each_limit_is_configurable_and_named_in_the_reason(tmp_path, limit, value, data, word):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    if data is None:
        save_png(inbox / "f.png", np.full((1200, 1000), 255, np.uint8))  # 1.2 Mpx
    else:
        (inbox / "f.pdf").write_bytes(data)
    plan = plan_inbox(inbox, tmp_path / "out", replace(RunConfig(), **{limit: value}))
    assert not plan.todo and len(plan.rejected) == 1
    assert word in str(plan.rejected[0].error)
    assert plan_inbox(inbox, tmp_path / "out2", RunConfig()).todo  # within the default limits it goes on


def test_done_documents_and_copies_are_skipped_and_a_changed_file_is_new(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (inbox / "a.txt").write_text("Первый.\n", encoding="utf-8")
    (inbox / "copy-of-a.txt").write_text("Первый.\n", encoding="utf-8")
    plan = plan_inbox(inbox, out, RunConfig())
    assert [Path(d.path).name for d in plan.todo] == ["a.txt"]
    assert [Path(p).name for p in plan.skipped] == ["copy-of-a.txt"]
    doc_id = plan.todo[0].doc_id
    (out / doc_id).mkdir(parents=True)
    (out / doc_id / "done.json").write_text("{}")
    assert plan_inbox(inbox, out, RunConfig()).todo == []
    (inbox / "a.txt").write_text("Первый, исправленный.\n", encoding="utf-8")
    again = plan_inbox(inbox, out, RunConfig())
    assert [Path(d.path).name for d in again.todo] == ["a.txt"] and again.todo[0].doc_id != doc_id


def test_hash_cache_reads_an_unchanged_file_once(tmp_path):
    f = tmp_path / "f.pdf"
    f.write_bytes(b"%PDF-1.4 one")
    cache = HashCache(tmp_path / "hashes.json")
    assert cache.sha256(f) == file_sha256(f)
    cache.save()
    reloaded = HashCache(tmp_path / "hashes.json")
    key = str(f.resolve())
    reloaded._entries[key][2] = "cached"  # proves the next answer comes from the cache, not the bytes
    assert reloaded.sha256(f) == "cached"
    f.write_bytes(b"%PDF-1.4 two, longer")  # size and mtime change: read again
    assert reloaded.sha256(f) == file_sha256(f)


# --- quarantine -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "____etc_passwd"),
        (WEIRD_NAME, "отчёт _%2F test __ file.png"),
        ("..", "_"),
        ("", "unnamed"),
        (".hidden.pdf", "hidden.pdf"),
        ("a\x00b\nc.pdf", "a_b_c.pdf"),
    ],
)
def test_safe_name_stays_in_its_folder(tmp_path, name, safe):
    assert safe_name(name) == safe
    assert (tmp_path / safe_name(name)).resolve().parent == tmp_path.resolve()


def test_quarantine_moves_the_file_with_a_reason_and_never_overwrites(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    folder = inbox / "quarantine"
    first = inbox / WEIRD_NAME
    first.write_bytes(b"x")
    q1 = quarantine_file(first, EncryptedInputError("locked.pdf: the PDF is password-protected"), folder=folder)
    second = inbox / WEIRD_NAME
    second.write_bytes(b"y")
    q2 = quarantine_file(second, InputFileError("damaged"), folder=folder)
    assert not first.exists()
    assert Path(q1.path).parent == folder and Path(q2.path).parent == folder
    assert Path(q1.path).read_bytes() == b"x" and Path(q2.path).read_bytes() == b"y"
    reason = json.loads(Path(q1.reason_path).read_text(encoding="utf-8"))
    assert Path(q1.reason_path).name == Path(q1.path).name + REASON_SUFFIX
    assert reason["file"] == WEIRD_NAME
    assert reason["what"] == "EncryptedInputError" and "password" in reason["why"]
    assert "without a password" in reason["what_to_do"]
    assert reason["exit_code"] == int(ExitCode.input_file) and reason["exit_code_kind"] == "input_file"
    assert reason["when"].endswith("+00:00")
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(
        [Path(q1.path).name, Path(q2.path).name, Path(q1.reason_path).name, Path(q2.reason_path).name]
    )


@pytest.mark.parametrize(
    ("error", "permanent", "transient"),
    [
        (InputFileError("corrupt"), True, False),
        (InputTooLargeError("big"), True, False),
        (PageTimeoutError("slow every time"), True, False),
        (OcrTimeoutError("slow once"), False, True),
        (OcrEngineError("crashed"), False, True),
        (OSError("database is locked"), False, True),
        (ConfigError("bad"), False, False),
    ],
)
def test_permanent_and_transient_failures(error, permanent, transient):
    assert is_permanent(error) is permanent
    assert is_transient(error) is transient


# --- crash safety helpers -------------------------------------------------------------------------


def test_run_lock_admits_one_run_at_a_time(tmp_path):
    with run_lock(tmp_path):
        with pytest.raises(AlreadyRunningError) as info, run_lock(tmp_path):
            pass
        assert info.value.exit_code == ExitCode.already_running
    with run_lock(tmp_path):  # released
        pass


def test_sweep_removes_incomplete_folders_and_stray_temp_files(tmp_path):
    done, partial = tmp_path / ("a" * 64), tmp_path / ("b" * 64)
    done.mkdir()
    (done / "done.json").write_text("{}")
    (done / ".ru.txt.x1y2").write_text("half")
    partial.mkdir()
    (partial / "ru.txt").write_text("half a document")
    (tmp_path / "keep-me").mkdir()
    assert sweep_incomplete(tmp_path) == ["b" * 64]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["a" * 64, "keep-me"])
    assert [p.name for p in done.iterdir()] == ["done.json"]


# --- settings -------------------------------------------------------------------------------------


def test_settings_from_toml_then_env(tmp_path):
    toml = tmp_path / "qostil.toml"
    toml.write_text(
        'inbox = "/srv/in"\noutbox = "/srv/out"\nlanguages = "rus+kaz"\nworkers = 3\n'
        'database_url = "sqlite:////srv/q.db"\ndask_address = ""\n'
        '[schedule]\ncron = "30 1 * * *"\n[limits]\nmax_pages = 50\nocr_timeout_s = 60\n',
        encoding="utf-8",
    )
    s = load_settings(toml, environ={"QOSTIL_WORKERS": "5", "QOSTIL_OUTBOX": "/data/out"})
    assert s.inbox == Path("/srv/in") and s.outbox == Path("/data/out")
    assert s.cron == "30 1 * * *" and s.timezone == "Asia/Almaty"
    assert s.run.workers == 5 and s.run.ocr_lang == "rus+kaz" and s.run.max_pages == 50
    assert s.run.ocr_timeout_s == 60 and s.run.database_url == "sqlite:////srv/q.db" and s.run.dask_address is None
    via_env = load_settings(environ={"QOSTIL_CONFIG": str(toml)})
    assert via_env.run.workers == 3
    assert with_overrides(via_env, workers=1, cron=None).run.workers == 1


def test_defaults_are_two_oclock_almaty():
    s = load_settings(environ={})
    assert (s.cron, s.timezone) == ("0 2 * * *", "Asia/Almaty")


@pytest.mark.parametrize(
    ("text", "env", "word"),
    [
        ("wrokers = 2\n", {}, "unknown setting 'wrokers'"),
        ("workers = 0\n", {}, "at least 1"),
        ("[schedule]\ntimezone = 'Mars/Olympus'\n", {}, "IANA"),
        ("[schedule]\ncron = 'at two'\n", {}, "5 fields"),
        ("", {"QOSTIL_MAX_PAGES": "many"}, "QOSTIL_MAX_PAGES"),
        ("workers = [\n", {}, "not valid TOML"),
    ],
)
def test_bad_settings_say_what_is_wrong(tmp_path, text, env, word):
    toml = tmp_path / "qostil.toml"
    toml.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=word.replace("[", r"\[")):
        load_settings(toml, environ=env)
