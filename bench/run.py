"""`make bench`: run every benchmark script in this folder, each in its own process, and print
their figures. Benchmarks measure; they never pass or fail on a number."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(
        p for p in HERE.glob("*.py") if p.name != "run.py" and not p.name.startswith("_")
    )
    only = set(sys.argv[1:])
    failures = 0
    for script in scripts:
        if only and script.stem not in only:
            continue
        print(f"\n== {script.stem}", flush=True)
        failures += subprocess.run([sys.executable, str(script)], check=False).returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
