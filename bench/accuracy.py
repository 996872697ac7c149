"""Accuracy of ``labintake extract`` on the generated corpus (bench/corpus).

    python -m bench.accuracy            # the whole corpus (8 layouts x 4 formats)
    python -m bench.accuracy --quick    # every digital PDF, OCR formats of 3 layouts
    python -m bench.accuracy --cli      # one `labintake extract` subprocess per file

By default every file is read in this process through the same function the CLI and
the workers call (``labintake.pipeline.work.read_report``), so the OCR engine is loaded
once, as in a worker, and per-stage times can be shown. ``--cli`` runs the command
itself (model load included in every file's time).

A result counts as found when its name or LOINC and its value match the ground truth
(numbers within 1e-6 relative, qualitative values by text). Unit, range and flag
accuracy are over the found results; patient and date accuracy over files.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.corpus import FORMATS, Item, build, fingerprint

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "var" / "bench-corpus"
QUICK_LAYOUTS = ("reference_lab", "european_de", "two_column")
MIME = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg"}


@dataclass
class Score:
    truth: int = 0
    predicted: int = 0
    found: int = 0
    unit_ok: int = 0
    range_ok: int = 0
    flag_ok: int = 0
    files: int = 0
    name_ok: int = 0
    dob_ok: int = 0
    collected_ok: int = 0
    sex_ok: int = 0
    pages: int = 0
    seconds: list[float] = field(default_factory=list)  # per page
    failures: int = 0

    def add(self, other: "Score") -> None:
        for k, v in vars(other).items():
            if isinstance(v, list):
                getattr(self, k).extend(v)
            else:
                setattr(self, k, getattr(self, k) + v)

    @property
    def recall(self) -> float:
        return self.found / self.truth if self.truth else 1.0

    @property
    def precision(self) -> float:
        return self.found / self.predicted if self.predicted else (1.0 if not self.truth else 0.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _norm_text(s: str | None) -> str:
    s = unicodedata.normalize("NFKD", s or "").lower()
    return " ".join("".join(c for c in s if c.isalnum() or c.isspace() or c in "+<>.").split())


def _name_tokens(s: str | None) -> list[str]:
    return sorted(_norm_text((s or "").replace(",", " ").replace(".", " ")).split())


def _same_value(t: dict, p: dict) -> bool:
    if t["value"] is None:
        return p.get("value") is None and _norm_text(p.get("value_text")) == _norm_text(t["value_text"])
    if p.get("value") is None:
        return False
    return abs(p["value"] - t["value"]) <= 1e-6 * max(1.0, abs(t["value"]))


def _same_range(t: dict, p: dict) -> bool:
    tr, pr = t["reference_range"], p.get("reference_range") or {}
    if tr["low"] is None and tr["high"] is None:
        return _norm_text(pr.get("text")) == _norm_text(tr["text"])
    return pr.get("low") == tr["low"] and pr.get("high") == tr["high"]


def score_file(truth: dict, got: dict | None, seconds: float, pages: int) -> tuple[Score, list[str]]:
    s = Score(truth=len(truth["results"]), files=1, pages=pages, seconds=[seconds / max(1, pages)] * pages)
    misses: list[str] = []
    if got is None:
        s.failures = 1
        return s, ["file failed"]
    preds = list(got.get("results", []))
    s.predicted = len(preds)
    used: set[int] = set()
    for t in truth["results"]:
        match = None
        for i, p in enumerate(preds):
            if i in used:
                continue
            if (p.get("loinc") == t["loinc"] or _norm_text(p.get("name")) == _norm_text(t["name"])) and _same_value(t, p):
                match = i
                break
        if match is None:
            near = [p for p in preds if p.get("loinc") == t["loinc"]]
            misses.append(f"missed {t['name']}={t['value_text']} got {[(p.get('name'), p.get('value_text')) for p in near][:2]}")
            continue
        used.add(match)
        p = preds[match]
        s.found += 1
        s.unit_ok += p.get("unit") == t["unit"]
        s.range_ok += _same_range(t, p)
        s.flag_ok += p.get("flag") == t["flag"]
        if p.get("unit") != t["unit"]:
            misses.append(f"unit {t['name']}: {p.get('unit')!r} != {t['unit']!r}")
        if not _same_range(t, p):
            misses.append(f"range {t['name']}: {p.get('reference_range')} != {t['reference_range']}")
        if p.get("flag") != t["flag"]:
            misses.append(f"flag {t['name']}={t['value_text']}: {p.get('flag')} != {t['flag']}")
    for i, p in enumerate(preds):
        if i not in used:
            misses.append(f"extra {p.get('name')}={p.get('value_text')}")
    tp, gp = truth["patient"], got.get("patient") or {}
    tr, gr = truth["report"], got.get("report") or {}
    s.name_ok = int(_name_tokens(gp.get("name")) == _name_tokens(tp["name"]))
    s.dob_ok = int(gp.get("date_of_birth") == tp["date_of_birth"])
    s.sex_ok = int(gp.get("sex") == tp["sex"])
    s.collected_ok = int(gr.get("collected_at") == tr["collected_at"])
    for key, ok in (("name", s.name_ok), ("dob", s.dob_ok), ("collected", s.collected_ok), ("sex", s.sex_ok)):
        if not ok:
            misses.append(f"header {key}: {gp.get(key) if key != 'collected' else gr.get('collected_at')!r}")
    return s, misses


def run_inprocess(path: Path) -> tuple[dict | None, float, dict]:
    from labintake.domain.errors import LabIntakeError
    from labintake.extract import sniff_type
    from labintake.pipeline.work import read_report

    data = path.read_bytes()
    t0 = time.perf_counter()
    try:
        reading = read_report(data, sniff_type(data))
    except LabIntakeError as exc:
        return None, time.perf_counter() - t0, {"error": exc.code.value}
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


def _warm_up() -> None:
    # A worker loads the OCR engine once; so does this benchmark, outside the timings.
    from labintake.extract.ocr import get_engine

    get_engine()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.accuracy", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="digital PDFs of every layout, all formats of 3 layouts")
    ap.add_argument("--cli", action="store_true", help="run `labintake extract` as a subprocess per file")
    ap.add_argument("--layout", action="append", help="only these layouts")
    ap.add_argument("--format", action="append", choices=FORMATS, help="only these formats")
    ap.add_argument("--corpus", type=Path, default=CORPUS_DIR, help="where the corpus is written")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    console = Console(width=200)

    stamp = args.corpus / ".fingerprint"
    if stamp.exists() and stamp.read_text() != fingerprint():
        for f in args.corpus.iterdir():
            f.unlink()
    console.print(f"[dim]corpus in {args.corpus} …[/dim]")
    items: list[Item] = build(args.corpus)
    stamp.write_text(fingerprint())
    if args.layout:
        items = [i for i in items if i.layout in args.layout]
    if args.format:
        items = [i for i in items if i.format in args.format]
    if args.quick:
        items = [i for i in items if i.format == "digital_pdf" or i.layout in QUICK_LAYOUTS]
    runner = run_cli if args.cli else run_inprocess
    if not args.cli and any(i.format != "digital_pdf" for i in items):
        _warm_up()

    by_layout: dict[str, Score] = defaultdict(Score)
    by_format: dict[str, Score] = defaultdict(Score)
    total = Score()
    stages: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    retried = 0
    started = time.monotonic()
    for item in items:
        truth = json.loads((args.corpus / item.truth).read_text(encoding="utf-8"))
        got, seconds, info = runner(args.corpus / item.path)
        s, misses = score_file(truth, got, seconds, item.pages)
        by_layout[item.layout].add(s)
        by_format[item.format].add(s)
        total.add(s)
        for k, v in info.get("timings", {}).items():
            stages[item.format][k] += v
        retried += len(info.get("attempts", [])) > 1
        status = f"F1 {s.f1:.3f}" if got is not None else f"[red]{info.get('error')}[/red]"
        console.print(f"  {item.path:34} {status}  {seconds:6.2f} s")
        if args.verbose:
            if len(info.get("attempts", [])) > 1:
                console.print(f"      [cyan]attempts: {info['attempts']}[/cyan]")
            for m in misses:
                console.print(f"      [yellow]{m}[/yellow]")

    def table(title: str, groups: dict[str, Score]) -> Table:
        t = Table(title=title)
        for col in ("", "files", "results", "recall", "precision", "F1", "unit", "range", "flag", "name", "DOB",
                    "collected", "sex", "s/page (median)"):
            t.add_column(col, justify="left" if not col else "right")
        for key, s in [*groups.items(), ("all", total)]:
            f = max(1, s.found)
            t.add_row(key, str(s.files), str(s.truth), f"{s.recall:.3f}", f"{s.precision:.3f}", f"{s.f1:.3f}",
                      f"{s.unit_ok / f:.3f}", f"{s.range_ok / f:.3f}", f"{s.flag_ok / f:.3f}",
                      f"{s.name_ok / s.files:.2f}", f"{s.dob_ok / s.files:.2f}", f"{s.collected_ok / s.files:.2f}",
                      f"{s.sex_ok / s.files:.2f}", f"{statistics.median(s.seconds):.3f}" if s.seconds else "-")
        return t

    console.print(table("by format", dict(sorted(by_format.items(), key=lambda kv: FORMATS.index(kv[0])))))
    console.print(table("by layout", dict(by_layout)))
    if stages:
        st = Table(title="where the time goes (seconds per page, mean)")
        names = sorted({k for v in stages.values() for k in v})
        st.add_column("format")
        for n in names:
            st.add_column(n, justify="right")
        for fmt, v in stages.items():
            pages = max(1, by_format[fmt].pages)
            st.add_row(fmt, *[f"{v.get(n, 0.0) / pages:.3f}" for n in names])
        console.print(st)
    console.print(f"[dim]{len(items)} files, {total.pages} pages, {retried} retried, "
                  f"{time.monotonic() - started:.0f} s{' (cli)' if args.cli else ''}[/dim]")
    if args.json:
        out = {k: {"f1": v.f1, "recall": v.recall, "precision": v.precision} for k, v in
               [*by_format.items(), *by_layout.items(), ("all", total)]}
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
