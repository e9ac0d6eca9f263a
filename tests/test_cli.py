"""The ``qostil`` command as a user runs it: real subprocesses, real files, documented exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qostil.errors import ExitCode

QOSTIL = [sys.executable, "-m", "flows"]


def qostil(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    return subprocess.run([*QOSTIL, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


def _parts(source: str) -> tuple[str, str]:
    """The sample's RU paragraphs 9-15 and their KK counterparts, as two blank-line-separated files."""
    ru_start = source.index("В течение предыдущих двух лет")
    ru_end = source.index("3. В соответствии с решением Совета Директоров")
    kk_start = source.index("Соңғы екі жыл ішінде")
    kk_end = source.index("3. «Қазақстан Ипотекалық Компаниясы» ИҰ» АҚ Директорлар кеңесінің 2014")
    ru = source[ru_start:ru_end]
    kk = "\n\n".join(line for line in source[kk_start:kk_end].splitlines() if line.strip())
    return ru, kk


@pytest.fixture()
def text_pair(tmp_path, sample_source_text):
    ru, kk = _parts(sample_source_text)
    (tmp_path / "ru.txt").write_text(ru, encoding="utf-8")
    (tmp_path / "kk.txt").write_text(kk, encoding="utf-8")
    return tmp_path / "ru.txt", tmp_path / "kk.txt"


def test_align_json_covers_every_paragraph_once(text_pair):
    ru, kk = text_pair
    result = qostil("align", str(ru), str(kk), "--json")
    assert result.returncode == 0, result.stderr
    pairs = json.loads(result.stdout)["pairs"]
    n_ru = len([p for p in ru.read_text(encoding="utf-8").split("\n\n") if p.strip()])
    n_kk = len([p for p in kk.read_text(encoding="utf-8").split("\n\n") if p.strip()])
    assert sorted(i for p in pairs for i in p["ru"]) == list(range(n_ru))
    assert sorted(i for p in pairs for i in p["kk"]) == list(range(n_kk))
    assert all(0.0 <= p["score"] <= 1.0 for p in pairs)


def test_check_json_on_text(tmp_path):
    ru = tmp_path / "ru.txt"
    kk = tmp_path / "kk.txt"
    ru.write_text(
        "Избраны независимыми директорами: Бабецов Булат Базартаевич и Алиманов Жанат Жалгасбайулы.\n\n"
        "Решение от 13 февраля 2014 года (Протокол №1).\n",
        encoding="utf-8",
    )
    kk.write_text(
        "Тәуелсіз директорлар болып сайланды: Бабенов Булат Базартаевич және Алиманов Жанат Жалғасбайұлы.\n\n"
        "Директорлар кеңесінің 2014 жылғы 13 ақпанындағы шешімі (№1-хаттама).\n",
        encoding="utf-8",
    )
    result = qostil("check", str(ru), str(kk), "--json")
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)["discrepancies"]
    assert [(f["kind"], f["left"]["text"], f["right"]["text"]) for f in findings] == [("name", "Бабецов", "Бабенов")]
    assert findings[0]["left"] == {**findings[0]["left"], "lang": "ru", "paragraph": 0}
    assert findings[0]["severity"] == "high"


def test_missing_input_file_gives_clear_error_and_exit_code(tmp_path):
    result = qostil("check", str(tmp_path / "nope.txt"), str(tmp_path / "nope2.txt"), "--json")
    assert result.returncode == ExitCode.input_file
    assert "nope.txt" in result.stderr and "not found" in result.stderr


def test_ocr_of_a_non_document_names_the_file_and_reason(tmp_path):
    bogus = tmp_path / "scan.png"
    bogus.write_bytes(b"this is plain text, not an image")
    result = qostil("ocr", str(bogus))
    assert result.returncode == ExitCode.input_file
    assert "scan.png" in result.stderr


def test_ocr_prints_page_text(tmp_path):
    from render import render_text_page
    from PIL import Image

    text = (
        "Совет Директоров эмитента состоит из 7 (семи) членов.\n\n"
        "Эмитенттің Директорлар кеңесі 7 (жеті) Директорлар кеңесі мүшесінен және оның Төрағасынан тұрады, "
        "олар дауыс берер кезде бір дауысқа ие болады."
    )
    page = render_text_page(text)
    Image.fromarray(page.image).save(tmp_path / "page.png", dpi=(300, 300))
    result = qostil("ocr", str(tmp_path / "page.png"))
    assert result.returncode == 0, result.stderr
    assert "Совет Директоров эмитента" in result.stdout
    assert "Директорлар кеңесі 7 (жеті)" in result.stdout
    assert "Төрағасынан тұрады" in " ".join(result.stdout.split())
