"""``doctor_report`` and the Tesseract language check, against the real Tesseract on this machine."""

from __future__ import annotations

import json

import pytest

from models import check_tesseract_languages, doctor_report
from models.doctor import model_report, tesseract_report
from qostil.errors import MissingDependencyError

def test_tesseract_has_rus_kaz_osd():
    report = tesseract_report()
    assert report["version"] and report["library"] == "tesserocr" and report["tessdata"]
    assert report["rus"] and report["kaz"] and report["osd"]
    check_tesseract_languages()  # rus + kaz: no error
    check_tesseract_languages(("rus", "kaz", "osd"))


@pytest.mark.parametrize(
    ("required", "package"),
    [(("rus", "xqz"), "tesseract-ocr-xqz"), (("zzz",), "tesseract-ocr-zzz")],
)
def test_missing_language_names_the_apt_package(required, package):
    with pytest.raises(MissingDependencyError, match=rf"apt-get install {package}") as e:
        check_tesseract_languages(required)
    assert "rus" not in str(e.value).split("for ")[1].split(";")[0]  # only what is missing is named


def test_doctor_report_is_json_and_names_the_model(tmp_path, monkeypatch):
    monkeypatch.setenv("QOSTIL_HOME", str(tmp_path))
    monkeypatch.delenv("QOSTIL_MODEL", raising=False)
    report = doctor_report()
    json.dumps(report)
    assert report["qostil_home"] == str(tmp_path)
    model = report["model"]
    assert model["kind"] == "default" and model["built"] is False
    assert model["path"].startswith(str(tmp_path))
    assert model["int8"]["built"] is False and model["int8"]["path"].startswith(str(tmp_path))
    assert set(report["tesseract"]) >= {"library", "version", "tessdata", "languages", "rus", "kaz", "osd"}


@pytest.mark.parametrize(
    ("spec", "kind", "error"),
    [("/no/such/model/folder", "folder", "does not exist"), ("qostil-test/absent", "name", "local Hugging Face cache")],
)
def test_model_report_for_models_that_are_not_there(spec, kind, error):
    report = model_report(spec)
    assert report["kind"] == kind and report["built"] is False and error in report["error"]
