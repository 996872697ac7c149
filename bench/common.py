"""Small shared pieces: a result row, percentiles, alternating runs, a throwaway LabIntake."""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from labintake.service import LabIntake
from labintake.settings import Settings


@dataclass
class Row:
    bench: str
    figure: str
    value: float
    unit: str
    baseline: float | None = None  # same figure, measured the naive way in the same run
    lower_is_better: bool = True
    spread: tuple[float, float] | None = None  # lowest and highest of the runs the value is the median of
    baseline_spread: tuple[float, float] | None = None

    def cells(self) -> tuple[str, str, str, str, str]:
        def num(v: float) -> str:
            return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.3g}"  # 1,083, not 1.08e+03

        def fmt(v: float, spread: tuple[float, float] | None = None) -> str:
            text = f"{num(v)} {self.unit}".strip()
            return f"{text} ({num(spread[0])}–{num(spread[1])})" if spread else text

        value = fmt(self.value, self.spread)
        if self.baseline is None or self.value == 0:
            return (self.bench, self.figure, value, "", "")
        ratio = self.baseline / self.value if self.lower_is_better else self.value / self.baseline
        verdict = f"{ratio:.1f}× better" if ratio >= 1 else f"{1 / ratio:.1f}× worse"
        return (self.bench, self.figure, value, fmt(self.baseline, self.baseline_spread), verdict)


def runs_row(bench: str, figure: str, values: list[float], unit: str, baseline: list[float] | None = None,
             *, lower_is_better: bool = True) -> Row:
    """A row whose value (and baseline) is the median of several runs, with their spread."""
    return Row(bench, figure, median(values), unit, median(baseline) if baseline else None, lower_is_better,
               (min(values), max(values)), (min(baseline), max(baseline)) if baseline else None)


def alternate(variants: dict[str, Callable[[], dict[str, float]]], runs: int) -> dict[str, dict[str, list[float]]]:
    """Measure every variant ``runs`` times, interleaved and in a rotating order (A B C, B C A,
    C A B, …), so drift on a shared machine falls on all of them alike. Returns, per variant,
    each figure's values over the runs."""
    names = list(variants)
    out: dict[str, dict[str, list[float]]] = {name: {} for name in names}
    for r in range(runs):
        for name in names[r % len(names):] + names[: r % len(names)]:
            for key, value in variants[name]().items():
                out[name].setdefault(key, []).append(value)
    return out


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def temp_app(**overrides: object) -> LabIntake:
    folder = Path(tempfile.mkdtemp(prefix="labintake-bench-"))
    return LabIntake(Settings(data_dir=folder, **overrides))  # type: ignore[arg-type]
