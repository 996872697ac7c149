"""Accuracy of ``labintake extract`` on the generated corpus (bench/corpus), per set and format.

    python -m bench.accuracy                 # both sets, every format
    python -m bench.accuracy --quick         # every digital PDF; OCR formats of a few reports
    python -m bench.accuracy --set dev -v    # the development set, with every miss
    python -m bench.accuracy --format digital_pdf
    python -m bench.accuracy --cli           # one `labintake extract` subprocess per file

Two sets (bench/corpus/params.py): ``dev`` (the eight hand-drawn layouts and the
development families) and ``held_back`` (other families, other seeds). The held-back
set is scored but its misses are never printed unless ``--show-held-back`` is given:
nobody should fix the parser against it, so that its figures keep saying how the parser
does on layouts nobody tuned for.

By default every file is read in this process through the same function the CLI and
the workers call (``labintake.pipeline.work.read_report``), so the OCR engine is loaded
once, as in a worker, and per-stage times can be shown. ``--cli`` runs the command
itself (model load included in every file's time). Scoring: bench/corpus/score.py.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.corpus import DEFAULT_SETS, FORMATS, SETS, Item, build, fingerprint
from bench.corpus.params import seeds
from bench.corpus.score import Score, score_file

__all__ = ["Score", "main", "score_file"]

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "var" / "bench-corpus"
# --quick: the OCR formats of these reports only (a few minutes on 2 cores).
QUICK_LAYOUTS = ("reference_lab", "european_de", f"new_lang_{seeds('dev')['new_lang'][0]}",
                 f"hb_eu_specimen_{seeds('held_back')['hb_eu_specimen'][0]}",
                 f"hb_side_notes_{seeds('held_back')['hb_side_notes'][0]}")
# Median seconds per page the product aims at (issue 10): digital PDFs, and 200-dpi scans.
SPEED_TARGETS = {"digital_pdf": 0.05, "scan_png": 2.0, "image_pdf": 2.0}
SET_TITLES = {"dev": "development set", "held_back": "held-back set", "probe": "probe set (any layout, development data)"}


def run_inprocess(path: Path) -> tuple[dict | None, float, dict]:
    from labintake.domain.errors import LabIntakeError
    from labintake.extract import sniff_type
    from labintake.pipeline.work import read_report

    data = path.read_bytes()
    t0 = time.perf_counter()
    try:
        reading = read_report(data, sniff_type(data))
    except LabIntakeError as exc:
        return None, time.perf_counter() - t0, {"error": exc.code.value, "attempts": exc.details.get("attempts")}
    seconds = time.perf_counter() - t0
    return reading.report.model_dump(mode="json"), seconds, {"timings": reading.timings, "attempts": reading.attempts}


def run_cli(path: Path) -> tuple[dict | None, float, dict]:
    exe = Path(sys.executable).with_name("labintake")
    cmd = [str(exe), "extract", str(path), "--format", "json"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        return None, seconds, {"error": proc.stdout.strip()[-200:] + proc.stderr.strip()[-200:]}
    return json.loads(proc.stdout), seconds, {}


def _attempts(info: dict) -> int:
    a = info.get("attempts")
    return len(a) if isinstance(a, list) else int(a or 1)


def _warm_up() -> None:
    # A worker loads the OCR engine once; so does this benchmark, outside the timings.
    from labintake.extract.ocr import get_engine

    get_engine()


def _corpus(args) -> list[Item]:
    stamp = args.corpus / ".fingerprint"
    if stamp.exists() and stamp.read_text() != fingerprint():
        for f in args.corpus.iterdir():
            f.unlink()
    formats = tuple(args.format or FORMATS)
    sets = tuple(args.set or DEFAULT_SETS)
    if args.quick:
        items = build(args.corpus, formats=("digital_pdf",), sets=sets, layouts=args.layout) if \
            "digital_pdf" in formats else []
        ocr = tuple(f for f in formats if f != "digital_pdf")
        quick = [q for q in QUICK_LAYOUTS if not args.layout or q in args.layout]
        if ocr and quick:
            items += build(args.corpus, formats=ocr, sets=sets, layouts=quick)
    else:
        items = build(args.corpus, formats=formats, sets=sets, layouts=args.layout)
    stamp.write_text(fingerprint())
    return items


def _table(title: str, groups: dict[str, Score]) -> Table:
    t = Table(title=title)
    for col in ("", "files", "results", "recall", "precision", "F1", "unit", "range", "flag", "printed",
                "name", "DOB", "collected", "sex", "failed", "2nd strategy", "s/page (median)"):
        t.add_column(col, justify="left" if not col else "right")
    total = Score()
    for s in groups.values():
        total.add(s)
    for key, s in [*groups.items(), ("all", total)]:
        f, n = max(1, s.found), max(1, s.files)
        t.add_row(key, str(s.files), str(s.truth), f"{s.recall:.3f}", f"{s.precision:.3f}", f"{s.f1:.3f}",
                  f"{s.unit_ok / f:.3f}", f"{s.range_ok / f:.3f}", f"{s.flag_ok / f:.3f}",
                  f"{s.printed_ok / max(1, s.printed_n):.3f}", f"{s.name_ok / n:.2f}", f"{s.dob_ok / n:.2f}",
                  f"{s.collected_ok / n:.2f}", f"{s.sex_ok / n:.2f}", str(s.failures), str(s.retried),
                  f"{statistics.median(s.seconds):.3f}" if s.seconds else "-")
    return t


def _summary(set_name: str, by_format: dict[str, Score]) -> str:
    total = Score()
    for s in by_format.values():
        total.add(s)
    n = max(1, total.files)
    speed = []
    for fmt, target in SPEED_TARGETS.items():
        if by_format.get(fmt) and by_format[fmt].seconds:
            med = statistics.median(by_format[fmt].seconds)
            speed.append(f"{fmt} {med:.3f} s/page ({'ok' if med <= target else 'over'} ≤ {target:g})")
    return (f"{set_name}: {total.files} files, F1 {total.f1:.3f} (recall {total.recall:.3f}, precision "
            f"{total.precision:.3f}); name {total.name_ok / n:.2f}, DOB {total.dob_ok / n:.2f}, collected "
            f"{total.collected_ok / n:.2f}; {total.failures} failed, {total.retried} ran a 2nd strategy; "
            + "; ".join(speed))


def _resize_probe(spec: str) -> None:
    from bench.corpus import params

    count, _, base = spec.partition("@")
    seed = int(base or params.SEED_BASE["probe"])
    if not params.SEED_BASE["probe"] <= seed < params.SEED_BASE["probe"] + 90_000_000:
        raise SystemExit(f"--probe: the probe's seeds start at {params.SEED_BASE['probe']:,}")
    params.PER_FAMILY["probe"] = int(count)
    params.SEED_BASE["probe"] = seed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.accuracy", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="every digital PDF; OCR formats of a few reports")
    ap.add_argument("--cli", action="store_true", help="run `labintake extract` as a subprocess per file")
    ap.add_argument("--set", action="append", choices=SETS, help="only this set (repeatable; default: dev and held_back)")
    ap.add_argument("--layout", action="append", help="only these layouts, families or reports (family_seed)")
    ap.add_argument("--format", action="append", choices=FORMATS, help="only these formats")
    ap.add_argument("--corpus", type=Path, default=CORPUS_DIR, help="where the corpus is written")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss (development set only)")
    ap.add_argument("--show-held-back", action="store_true",
                    help="also print the held-back set's files and misses (do not fix the parser against them)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--probe", metavar="N@SEED",
                    help="the probe set as N reports from seed SEED on (default 40@40000000): other seeds are "
                         "more development data, never the held-back set's")
    args = ap.parse_args(argv)
    if args.probe:
        _resize_probe(args.probe)
    console = Console(width=220)

    console.print(f"[dim]corpus in {args.corpus} …[/dim]")
    items = _corpus(args)
    runner = run_cli if args.cli else run_inprocess
    if not args.cli and any(i.format != "digital_pdf" for i in items):
        _warm_up()

    by_format: dict[str, dict[str, Score]] = {s: defaultdict(Score) for s in SETS}
    by_family: dict[str, dict[str, Score]] = {s: defaultdict(Score) for s in SETS}
    stages: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    pages_by_format: dict[str, int] = defaultdict(int)
    started = time.monotonic()
    hidden = 0
    for item in items:
        visible = item.set != "held_back" or args.show_held_back
        truth = json.loads((args.corpus / item.truth).read_text(encoding="utf-8"))
        got, seconds, info = runner(args.corpus / item.path)
        s, misses = score_file(truth, got, seconds, item.pages)
        s.retried = int(_attempts(info) > 1)
        by_format[item.set][item.format].add(s)
        by_family[item.set][item.family or item.layout].add(s)
        for k, v in info.get("timings", {}).items():
            stages[item.format][k] += v
        pages_by_format[item.format] += item.pages
        if not visible:  # held back: figures only, and no file names
            hidden += 1
            console.print(f"  [dim]held-back file {hidden} scored ({seconds:.1f} s)[/dim]")
            continue
        status = f"F1 {s.f1:.3f}" if got is not None else f"[red]{info.get('error')}[/red]"
        console.print(f"  {item.path:44} {status}  {seconds:6.2f} s" + ("  (2nd strategy)" if s.retried else ""))
        if args.verbose:
            if s.retried:
                console.print(f"      [cyan]attempts: {info.get('attempts')}[/cyan]")
            for m in misses:
                console.print(f"      [yellow]{m}[/yellow]")

    summaries = []
    for set_name in SETS:
        if not by_format[set_name]:
            continue
        fmts = dict(sorted(by_format[set_name].items(), key=lambda kv: FORMATS.index(kv[0])))
        console.print(_table(f"{SET_TITLES[set_name]}: by format", fmts))
        if set_name != "held_back" or args.show_held_back:
            console.print(_table(f"{SET_TITLES[set_name]}: by layout family", dict(by_family[set_name])))
        summaries.append(_summary(set_name, fmts))
    if stages:
        st = Table(title="where the time goes (seconds per page, mean, both sets)")
        names = sorted({k for v in stages.values() for k in v})
        st.add_column("format")
        for n in names:
            st.add_column(n, justify="right")
        for fmt, v in stages.items():
            st.add_row(fmt, *[f"{v.get(n, 0.0) / max(1, pages_by_format[fmt]):.3f}" for n in names])
        console.print(st)
    for line in summaries:
        console.print(line)
    console.print(f"[dim]{len(items)} files, {sum(pages_by_format.values())} pages, "
                  f"{time.monotonic() - started:.0f} s{' (cli)' if args.cli else ''}[/dim]")
    if args.json:
        out = {set_name: {fmt: _figures(s) for fmt, s in by_format[set_name].items()} for set_name in SETS}
        args.json.write_text(json.dumps(out, indent=1))
    return 0


def _figures(s: Score) -> dict:
    n, f = max(1, s.files), max(1, s.found)
    return {"files": s.files, "results": s.truth, "f1": s.f1, "recall": s.recall, "precision": s.precision,
            "unit": s.unit_ok / f, "range": s.range_ok / f, "flag": s.flag_ok / f, "name": s.name_ok / n,
            "dob": s.dob_ok / n, "collected": s.collected_ok / n, "failed": s.failures, "second_strategy": s.retried,
            "s_per_page_median": statistics.median(s.seconds) if s.seconds else None}


if __name__ == "__main__":
    sys.exit(main())
