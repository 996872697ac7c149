"""The cost columns of a file's row, added to on each attempt (migration 0011).

An attempt's CPU-seconds, tokens and their price are added to what earlier attempts of the
same file used, in the same statement as the attempt's status write: a retried file's cost
is every attempt's, and each at the prices of its own day.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func

from labintake.db.models import FileProcessingStatus as FPS
from labintake.domain.cost import Prices


def _plus(column: Any, amount: float | int) -> Any:
    return func.coalesce(column, 0) + amount


def added_cost(prices: Prices, cpu_seconds: float, input_tokens: int = 0, output_tokens: int = 0) -> dict[str, Any]:
    """Column values (SQL expressions) adding one attempt's use to the row."""
    fields: dict[str, Any] = {
        "cpu_seconds": _plus(FPS.cpu_seconds, round(cpu_seconds, 4)),
        "compute_cost": _plus(FPS.compute_cost, prices.compute(cpu_seconds)),
    }
    if input_tokens or output_tokens:
        fields.update(
            vision_input_tokens=_plus(FPS.vision_input_tokens, input_tokens),
            vision_output_tokens=_plus(FPS.vision_output_tokens, output_tokens),
            vision_cost=_plus(FPS.vision_cost, prices.vision(input_tokens, output_tokens)),
        )
    return fields
