"""The benchmark's fairness helpers: variants interleaved in a rotating order, medians with spread."""

from __future__ import annotations

from bench.common import Row, alternate, runs_row


def test_variants_alternate_in_a_rotating_order_and_report_every_run() -> None:
    order: list[str] = []

    def variant(name: str, value: float):  # type: ignore[no-untyped-def]
        def measure() -> dict[str, float]:
            order.append(name)
            return {"p99": value + len(order)}
        return measure

    got = alternate({"a": variant("a", 0), "b": variant("b", 100), "c": variant("c", 200)}, 3)
    assert order == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]  # nobody always goes first
    assert got["a"]["p99"] == [1, 6, 8] and got["c"]["p99"] == [203, 205, 207]


def test_a_runs_row_is_the_median_with_the_lowest_and_highest_shown() -> None:
    row = runs_row("b", "p99", [3.0, 1.0, 2.0], "ms", [9.0, 4.0, 6.0])
    assert (row.value, row.baseline, row.spread, row.baseline_spread) == (2.0, 6.0, (1.0, 3.0), (4.0, 9.0))
    assert row.cells() == ("b", "p99", "2 ms (1–3)", "6 ms (4–9)", "3.0× better")
    saturation = runs_row("b", "req/s", [100.0, 120.0, 110.0], "req/s", [50.0, 60.0, 55.0], lower_is_better=False)
    assert saturation.cells()[4] == "2.0× better"


def test_figures_of_a_thousand_or_more_are_written_out_not_in_exponent_form() -> None:
    row = Row("longdoc", "peak RSS", 1083.4, "MB", 916.2)
    assert row.cells()[2:4] == ("1,083 MB", "916 MB")
    assert Row("b", "rate", 0.0123, "s").cells()[2] == "0.0123 s"
