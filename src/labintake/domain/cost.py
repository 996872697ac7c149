"""What processing one file cost, as an estimate: local compute and vision-LLM tokens.

Computed once, when the file ends, with the prices configured then, and stored on the
file's row; a later price change does not rewrite history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class PriceSettings(Protocol):
    """The settings prices come from (``Settings``; the domain does not import it)."""

    @property
    def cost_per_cpu_hour(self) -> float: ...
    @property
    def vision_price_input_per_mtok(self) -> float: ...
    @property
    def vision_price_output_per_mtok(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Prices:
    """From ``Settings``: the price of one CPU-hour and of a million vision tokens each way."""

    per_cpu_hour: float = 0.0
    vision_input_per_mtok: float = 0.0
    vision_output_per_mtok: float = 0.0

    @classmethod
    def from_settings(cls, settings: PriceSettings) -> Prices:
        return cls(settings.cost_per_cpu_hour, settings.vision_price_input_per_mtok,
                   settings.vision_price_output_per_mtok)

    def compute(self, cpu_seconds: float) -> float:
        return round(cpu_seconds / 3600 * self.per_cpu_hour, 8)

    def vision(self, input_tokens: int, output_tokens: int) -> float:
        return round((input_tokens * self.vision_input_per_mtok + output_tokens * self.vision_output_per_mtok)
                     / 1_000_000, 8)
