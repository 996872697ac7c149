"""Cost estimates: prices × use, and how the pages print small sums of money."""

from __future__ import annotations

import pytest

from labintake.domain.cost import Prices
from labintake.settings import Settings
from labintake.web.ui.pages import _money


def test_prices_from_settings_and_their_arithmetic() -> None:
    prices = Prices.from_settings(Settings(cost_per_cpu_hour=0.036, vision_price_input_per_mtok=2.5,
                                           vision_price_output_per_mtok=10))
    assert prices.compute(3600) == pytest.approx(0.036)
    assert prices.compute(1.0) == pytest.approx(0.00001)
    assert prices.vision(1_000_000, 100_000) == pytest.approx(2.5 + 1.0)
    defaults = Prices.from_settings(Settings())
    assert defaults.per_cpu_hour == 0.04 and defaults.vision(10**6, 10**6) == 0  # no vision prices: free


@pytest.mark.parametrize(("value", "shown"), [
    (0, "0 USD"), (0.000021, "0.000021 USD"), (0.00123, "0.0012 USD"), (0.0456, "0.05 USD"), (1234.5, "1,234.50 USD"),
])
def test_money_keeps_two_significant_digits_below_a_cent(value: float, shown: str) -> None:
    assert _money(value, "USD") == shown
