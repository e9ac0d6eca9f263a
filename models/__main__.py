"""``python -m models build [--force]`` and ``python -m models doctor``: the install-time entry points."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from models.build import build_default_encoder
from models.doctor import doctor_report
from qostil.errors import QostilError

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the default encoder into $QOSTIL_HOME/models")
    b.add_argument("--force", action="store_true", help="rebuild even if it is there")
    b.add_argument("--cache-dir", type=Path, default=None, help="models folder (default $QOSTIL_HOME/models)")
    b.add_argument("--full-vocab", action="store_true", help="keep all 250 002 pieces (no trimming)")
    sub.add_parser("doctor", help="print which model is in use and whether Tesseract has rus/kaz")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "build":
            t0 = time.perf_counter()
            path = build_default_encoder(args.cache_dir, force=args.force, trim=not args.full_vocab)
            print(f"{path} ({time.perf_counter() - t0:.1f} s)")
        else:
            print(json.dumps(doctor_report(), ensure_ascii=False, indent=2))
    except QostilError as e:
        print(f"error: {e}", file=sys.stderr)
        return int(e.exit_code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
