"""Run every benchmark and print one table."""

from __future__ import annotations

import argparse
import sys
import time

from rich.console import Console
from rich.table import Table

from bench import loadtest, longdoc, pipeline, progress_http, progress_read, push, scaleout, search

BENCHES = {
    "progress": progress_read.run,
    "progress-http": progress_http.run,
    "push": push.run,
    "push-10k": push.run_scale,
    "pipeline": pipeline.run,
    "load": loadtest.run,
    "scaleout": scaleout.run,
    "longdoc": longdoc.run,
    "search": search.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a quick check")
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown (for the README)")
    parser.add_argument("only", nargs="*", help=f"run only these: {', '.join(BENCHES)}")
    args = parser.parse_args(argv)
    console = Console(width=170)
    table = Table(title=f"LabIntake benchmarks ({'quick' if args.quick else 'full'})")
    for col in ("benchmark", "figure", "value", "baseline", "ratio"):
        table.add_column(col, justify="right" if col in ("value", "baseline", "ratio") else "left")
    started = time.monotonic()
    rows = []
    for name, run in BENCHES.items():
        if args.only and name not in args.only:
            continue
        console.print(f"[dim]running {name}…[/dim]")
        for row in run(quick=args.quick):
            rows.append(row.cells())
            table.add_row(*row.cells())
            if args.markdown:  # as it comes: a benchmark failing later loses nothing measured
                print("| " + " | ".join(row.cells()) + " |", flush=True)
    console.print(table)
    if args.markdown:
        print("| benchmark | figure | value (lowest–highest of the runs) | baseline (same run) | ratio |")
        print("|---|---|---|---|---|")
        for cells in rows:
            print("| " + " | ".join(cells) + " |")
    console.print(f"[dim]total {time.monotonic() - started:.0f} s[/dim]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
