"""材料识别 accuracy and speed on generated certificate photos (fictional data, varied fonts, tilt up
to 10°, noise, JPEG quality), N per document kind (default 200; `--per-kind 20` while developing).

Prints, per kind, the exact-match accuracy of every field (a field left empty counts as a miss),
how many values were offered wrong (the harmful miss: a person must catch it), how many were left
empty with a reason, how many were mended (an ID number that failed its check, corrected from the
recogniser's runners-up; a doubted surname; counted under exact or wrong as they came out), and
the p50/p95 seconds per document on one core (the process is pinned to one CPU; onnxruntime runs
one thread). Goals (issue 28): ID number and USCC ≥ 98 %, names and dates ≥ 95 %, p95 ≤ 1.5 s.
Needs CJK fonts (fonts-noto-cjk) to draw the photos; drawing is not timed.

    nice .venv/bin/python bench/ocr.py [--per-kind N] [--kinds id_card_front,business_licence]
"""

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def _goal(name: str, spec) -> float | None:
    """The issue's goal for a field: identifiers with a check digit 98 %, names and dates 95 %."""
    if name in ("uscc",) or name.endswith("id_number"):
        return 0.98
    if name.endswith("name") or name in ("holder", "owner", "legal_rep") or "date" in name:
        return 0.95
    if name.endswith("_on") or name == "valid_until":
        return 0.95
    return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--kinds", default="")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    import django

    django.setup()
    from tongban.ocr import engine, kinds, recognise, synthetic

    if not synthetic.available_fonts():
        print("skipped: no CJK fonts to draw the photos (apt-get install fonts-noto-cjk)")
        return 0
    engine._engine()  # loading the models is not a document's time
    wanted = [k for k in args.kinds.split(",") if k] or list(kinds.KINDS)
    print(f"{args.per_kind} photos per kind, one core, load average {os.getloadavg()[0]:.1f}")
    all_seconds = []
    for code in wanted:
        hits: dict[str, int] = defaultdict(int)
        wrong: dict[str, int] = defaultdict(int)
        mended: dict[str, int] = defaultdict(int)
        seconds, unreadable = [], 0
        fields = []
        for seed in range(args.per_kind):
            photo, truth = synthetic.generate(code, 10_000 + seed)
            fields = list(truth)
            started = time.perf_counter()
            try:
                result = recognise.recognise(photo, "image/jpeg", code)
            except recognise.Unreadable:
                unreadable += 1
                result = None
            seconds.append(time.perf_counter() - started)
            for name, value in truth.items():
                read = result.fields[name].value if result else ""
                mended[name] += bool(result and result.fields[name].mended)
                hits[name] += read == value
                wrong[name] += bool(read) and read != value
        all_seconds += seconds
        ordered = sorted(seconds)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(
            f"\n{kinds.KINDS[code].label} ({code}): p50 {statistics.median(seconds):.2f} s"
            f"   p95 {p95:.2f} s   unreadable {unreadable}/{args.per_kind}"
        )
        print(f"  {'field':<14}{'exact':>8}{'wrong':>7}{'empty':>7}{'mended':>7}{'goal':>7}")
        for name in fields:
            spec = kinds.KINDS[code].spec(name)
            goal = _goal(name, spec)
            missed = args.per_kind - hits[name] - wrong[name]
            verdict = (
                "" if goal is None else (" ok" if hits[name] >= goal * args.per_kind else " BELOW")
            )
            print(
                f"  {spec.label:<14}{hits[name] / args.per_kind:8.1%}{wrong[name]:>7}{missed:>7}"
                f"{mended[name]:>7}"
                f"{'' if goal is None else f'{goal:.0%}':>7}{verdict}"
            )
    ordered = sorted(all_seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"\nall kinds: p50 {statistics.median(all_seconds):.2f} s   p95 {p95:.2f} s per document")
    print(f"load average at the end {os.getloadavg()[0]:.1f} (2 cores shared: figures are low)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
