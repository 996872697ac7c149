"""The Prometheus alert rules are valid and each fires on bad data and stays quiet on good data."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool not installed (`make test` installs Debian's prometheus package)"
)


@needs_promtool
def test_rules_are_valid() -> None:
    run = subprocess.run([PROMTOOL, "check", "rules", str(RULES / "alerts.yml")], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "SUCCESS: 6 rules found" in run.stdout


@needs_promtool
def test_each_alert_fires_on_an_unhealthy_series_and_not_on_a_healthy_one() -> None:
    run = subprocess.run([PROMTOOL, "test", "rules", "alerts_test.yml"], cwd=RULES, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_rules_reference_only_metrics_we_export() -> None:
    import re

    from prometheus_client import REGISTRY

    import labintake.metrics  # noqa: F401 - registers the metrics

    exported = set()
    for metric in REGISTRY.collect():
        for sample in metric.samples:
            exported.add(sample.name)
        exported.add(metric.name)
        exported.add(metric.name + "_total")
    used = set(re.findall(r"labintake_[a-z_]+", (RULES / "alerts.yml").read_text()))
    assert used, "no metric found in the rules"
    missing = {m for m in used if m not in exported and re.sub(r"_(bucket|sum|count)$", "", m) not in exported}
    assert not missing
