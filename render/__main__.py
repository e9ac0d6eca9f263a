"""``python -m render``: write the bundled sample, or render any filing text to pages.

    python -m render sample [--out samples/scans] [--inbox samples/inbox] [--seed 0]
    python -m render text FILE --out DIR [--font DejaVuSans] [--dpi 300] [--degrade clean] [--seed 0]
    python -m render fonts
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from qostil.errors import QostilError
from render.degrade import PRESETS
from render.document import render_document
from render.files import write_png
from render.fonts import FAMILIES, available_fonts
from render.sample import REPO, write_sample
from render.source import parse_filing

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m render", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample", help="write the bundled scanned sample and its ground truth")
    s.add_argument("--out", type=Path, default=REPO / "samples" / "scans")
    s.add_argument("--inbox", type=Path, default=REPO / "samples" / "inbox")
    s.add_argument("--seed", type=int, default=0)
    t = sub.add_parser("text", help="render a filing text (samples/source format) to PNG pages + ground truth")
    t.add_argument("file", type=Path)
    t.add_argument("--out", type=Path, required=True)
    t.add_argument("--font", default="DejaVuSans", choices=sorted(FAMILIES))
    t.add_argument("--dpi", type=int, default=300)
    t.add_argument("--degrade", default="clean", choices=sorted(PRESETS))
    t.add_argument("--seed", type=int, default=0)
    sub.add_parser("fonts", help="list the fonts that are installed and draw every Kazakh letter")
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    try:
        if args.command == "sample":
            files = write_sample(args.out, args.inbox, seed=args.seed)
            print(f"{files.pdf} ({files.pages} pages)")
            for path in (*files.images, files.tiff):
                print(path)
        elif args.command == "text":
            blocks = parse_filing(args.file.read_text(encoding="utf-8"))
            pages = render_document(blocks, font=args.font, dpi=args.dpi, degrade=args.degrade, seed=args.seed)
            for page in pages:
                print(write_png(args.out / f"{args.file.stem}.p{page.number:02d}.{args.degrade}.png", page))
        elif args.command == "fonts":
            for name in available_fonts():
                print(name)
    except QostilError as e:
        print(f"error: {e}", file=sys.stderr)
        return int(e.exit_code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
