"""Small shared pieces: a result row, percentiles, a throwaway LabIntake on a temp folder."""

from __future__ import annotations

import statistics
import tempfile
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

    def cells(self) -> tuple[str, str, str, str, str]:
        fmt = lambda v: f"{v:,.3g} {self.unit}".strip()  # noqa: E731
        if self.baseline is None or self.value == 0:
            return (self.bench, self.figure, fmt(self.value), "", "")
        ratio = self.baseline / self.value if self.lower_is_better else self.value / self.baseline
        verdict = f"{ratio:.1f}× better" if ratio >= 1 else f"{1 / ratio:.1f}× worse"
        return (self.bench, self.figure, fmt(self.value), fmt(self.baseline), verdict)


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
