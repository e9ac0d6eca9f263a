"""Precision and recall of the name/date/number checks on injected errors, qostil vs a plain baseline.

Run from the repository root::

    .venv/bin/python benchmarks/bench_checks.py            # writes benchmarks/RESULTS-checks.md
    .venv/bin/python benchmarks/bench_checks.py --realign  # re-align the kzlaw acts with e5 first

Each case of :mod:`benchmarks.inject` is checked twice, clean and changed; only the findings the
change brought count (a finding is new when its kind, language and texts are not among the clean
pair's findings), so real differences already in a real pair count for neither system. A new finding
is correct when it points at the injected change (a mention overlapping the changed span, or its
counterpart on the other side) and has the injected kind. Recall per kind: injected errors of that
kind with a correct finding. Precision per kind: correct findings among the new findings of that
kind, over errors and controls together. The untouched real pairs are also counted as they are
(all findings, not new ones): the noise a translator would see on clean text.

Baseline: exact string comparison per pair of capitalised words (→ name), numeric dates
``dd.mm.yyyy`` (→ date) and digit runs outside those dates (→ number): every item of one side
missing from the other is a finding.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.inject import KINDS, Case, make_cases  # noqa: E402

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Hit:
    """One finding reduced to what the scoring needs."""

    kind: str  # name, date, number, other
    sig: tuple  # kind, languages and texts: equal signatures are "the same finding"
    where: tuple[tuple[str, tuple[int, int]], ...]  # (lang, span) of each mention


# ---------------------------------------------------------------- systems


def qostil_system(ru: str, kk: str) -> list[Hit]:
    from align.checks import check_pairs
    from qostil.records import Pair, Segment

    r = [Segment(id="r0", doc_id="b", lang="ru", kind="paragraph", text=ru)]
    k = [Segment(id="k0", doc_id="b", lang="kk", kind="paragraph", text=kk)]
    out = []
    for d in check_pairs(r, k, [Pair((0,), (0,), 1.0)]):
        kind = d.kind if d.kind in KINDS else "other"
        ms = [m for m in (d.left, d.right) if m is not None]
        sig = (kind,) + tuple((m.lang, m.text) for m in ms)
        out.append(Hit(kind, sig, tuple((m.lang, m.span) for m in ms if m.span)))
    return out


_CAP = re.compile(r"(?<![\w-])[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\wәғқңөұүһіё-]+")
_NUMDATE = re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}\.\d{4}(?!\d)")
_DIGITS = re.compile(r"\d+")


def _baseline_items(text: str) -> dict[str, list[tuple[str, tuple[int, int]]]]:
    dates = [(m.group(0), m.span()) for m in _NUMDATE.finditer(text)]
    taken = [s for _, s in dates]
    nums = [(m.group(0), m.span()) for m in _DIGITS.finditer(text) if not any(a <= m.start() < b for a, b in taken)]
    caps = [(m.group(0), m.span()) for m in _CAP.finditer(text)]
    return {"name": caps, "date": dates, "number": nums}


def baseline_system(ru: str, kk: str) -> list[Hit]:
    a, b = _baseline_items(ru), _baseline_items(kk)
    out = []
    for kind in KINDS:
        sa, sb = {t for t, _ in a[kind]}, {t for t, _ in b[kind]}
        for lang, items, other in (("ru", a[kind], sb), ("kk", b[kind], sa)):
            for t, span in items:
                if t not in other:
                    out.append(Hit(kind, (kind, lang, t), ((lang, span),)))
    return out


SYSTEMS = {"qostil": qostil_system, "baseline": baseline_system}


# ---------------------------------------------------------------- scoring


def _points_to(h: Hit, c: Case) -> bool:
    other = "kk" if c.side == "ru" else "ru"
    for lang, (a, b) in h.where:
        if lang == c.side and a < c.span[1] and c.span[0] < b:
            return True
        if lang == other and any(a < y and x < b for x, y in c.other_spans):
            return True
    return False


@dataclass
class Tally:
    errors: Counter
    found: Counter
    findings: Counter
    correct: Counter
    fp_by_how: Counter
    miss_by_how: Counter
    errors_by_how: Counter
    clean_noise: Counter
    clean_pairs: int
    examples_fp: list
    examples_miss: list


def evaluate(cases: list[Case], system) -> Tally:  # type: ignore[no-untyped-def]
    t = Tally(Counter(), Counter(), Counter(), Counter(), Counter(), Counter(), Counter(), Counter(), 0, [], [])
    clean_cache: dict[tuple[str, str], set] = {}
    for c in cases:
        key = (c.clean_ru, c.clean_kk)
        if key not in clean_cache:
            hits = system(*key)
            clean_cache[key] = {h.sig for h in hits}
            if c.how == "clean-real":
                t.clean_pairs += 1
                for h in hits:
                    t.clean_noise[h.kind] += 1
        if c.how == "clean-real":
            continue
        new = [h for h in system(c.ru, c.kk) if h.sig not in clean_cache[key]]
        if c.label == "error":
            t.errors[c.kind] += 1
            t.errors_by_how[c.how] += 1
            if any(h.kind == c.kind and _points_to(h, c) for h in new):
                t.found[c.kind] += 1
            else:
                t.miss_by_how[c.how] += 1
                if len(t.examples_miss) < 400:
                    t.examples_miss.append((c, new))
        for h in new:
            if h.kind not in KINDS:
                t.findings["other"] += 1
                continue
            t.findings[h.kind] += 1
            if c.label == "error" and h.kind == c.kind and _points_to(h, c):
                t.correct[h.kind] += 1
            else:
                t.fp_by_how[(h.kind, c.label, c.how)] += 1
                if len(t.examples_fp) < 400:
                    t.examples_fp.append((c, h))
    return t


def _pr(t: Tally, kind: str) -> tuple[float, float]:
    p = t.correct[kind] / t.findings[kind] if t.findings[kind] else 1.0
    r = t.found[kind] / t.errors[kind] if t.errors[kind] else 0.0
    return p, r


def _snip(text: str, span: tuple[int, int], width: int = 50) -> str:
    a, b = max(0, span[0] - width), min(len(text), span[1] + width)
    return ("…" if a else "") + text[a:span[0]] + "⟦" + text[span[0]:span[1]] + "⟧" + text[span[1]:b] + ("…" if b < len(text) else "")


def report(cases: list[Case], tallies: dict[str, Tally], *, seconds: dict[str, float], command: str) -> str:
    from benchmarks.metrics import machine_description

    kinds = Counter((c.kind, c.label) for c in cases if c.how != "clean-real")
    src = Counter(c.source.split(":")[0].split("-")[0] for c in cases if c.how == "clean-real")
    src = Counter({("template pairs (dates, numbers)" if k == "template" else f"real pairs from {k}"): n for k, n in src.items()})
    lines = [
        "# Name, date and number checks on injected errors",
        "",
        f"Machine: {machine_description()}.",
        f"Command: `{command}` (seeded; {seconds['qostil']:.0f} s for qostil, {seconds['baseline']:.1f} s for the baseline).",
        "",
        "Data: " + ", ".join(f"{n} {s}" for s, n in sorted(src.items()))
        + f"; {sum(1 for c in cases if c.how == 'declined-and-suffixed')} template pairs with names."
        + (
            " Real pairs: the sample filing's hand alignment and the kzlaw-ministerial act pairs aligned by"
            " `align.aligner.align_segments` with the project's e5 encoder (1-1 pairs, score ≥ 0.80, cached in"
            " `tests/data/checks/kzlaw_pairs.jsonl`)."
            if any("kzlaw" in k for k in src)
            else " Real pairs: the sample filing's hand alignment only (run without `--no-kzlaw` to add the act pairs)."
        )
        + " Cases: "
        + ", ".join(f"{n} {k} {lab}s" for (k, lab), n in sorted(kinds.items())) + ".",
        "",
        "Only the findings a change brings count (see `bench_checks.py`); a finding is correct when it has the"
        " injected kind and points at the change or its counterpart.",
        "",
        "| kind | system | injected errors | found | recall | new findings | correct | precision |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in KINDS:
        for name, t in tallies.items():
            p, r = _pr(t, kind)
            lines.append(f"| {kind} | {name} | {t.errors[kind]} | {t.found[kind]} | {r:.3f} | {t.findings[kind]} | {t.correct[kind]} | {p:.3f} |")
    lines += ["", "Other kinds (organisation, position) brought by the changes: "
              + ", ".join(f"{n}: {t.findings['other']}" for n, t in tallies.items()) + ".", ""]
    lines += ["## Findings on untouched pairs", "", "All findings (not only new ones) on the clean pairs as they are. The sample's pairs hold its"
              " real differences (3 names, 2 organisation words, 1 position for qostil); every other finding there is noise.", "",
              "| system | pairs | name | date | number | other |", "|---|---:|---:|---:|---:|---:|"]
    for name, t in tallies.items():
        lines.append(f"| {name} | {t.clean_pairs} | {t.clean_noise['name']} | {t.clean_noise['date']} | {t.clean_noise['number']} | {t.clean_noise['other']} |")
    q = tallies["qostil"]
    lines += ["", "## qostil recall by injected change", "", "| change | injected | missed |", "|---|---:|---:|"]
    for how, n in sorted(q.errors_by_how.items()):
        lines.append(f"| {how} | {n} | {q.miss_by_how[how]} |")
    lines += ["", "## qostil false findings by case", "", "| finding kind | case | change | count |", "|---|---|---|---:|"]
    for (k, lab, how), n in q.fp_by_how.most_common():
        lines.append(f"| {k} | {lab} | {how} | {n} |")
    lines += ["", "## Examples of qostil misses (first 12)", ""]
    for c, new in q.examples_miss[:12]:
        text = c.ru if c.side == "ru" else c.kk
        lines.append(f"- {c.how} ({c.side.upper()}, {c.source}): {_snip(text, c.span)}")
    lines += ["", "## Examples of qostil false findings (first 12)", ""]
    for c, h in q.examples_fp[:12]:
        lines.append(f"- {h.kind} on {c.label} {c.how} ({c.source}): {' / '.join(repr(x) for x in h.sig[1:])}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--realign", action="store_true")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--templates", type=int, default=400)
    ap.add_argument("--no-kzlaw", action="store_true", help="leave out the kzlaw act pairs (no e5 alignment needed)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS-checks.md")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    cases = make_cases(seed=a.seed, n_templates=a.templates, realign=a.realign, use_kzlaw=not a.no_kzlaw)
    tallies, seconds = {}, {}
    for name, system in SYSTEMS.items():
        t0 = time.perf_counter()
        tallies[name] = evaluate(cases, system)
        seconds[name] = time.perf_counter() - t0
    cmd = "python benchmarks/bench_checks.py" + ("" if a.seed == 13 else f" --seed {a.seed}") + ("" if a.templates == 400 else f" --templates {a.templates}") + (" --no-kzlaw" if a.no_kzlaw else "")
    text = report(cases, tallies, seconds=seconds, command=cmd)
    a.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
