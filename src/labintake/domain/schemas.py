"""The extracted-data contract (DESIGN §4): what ``labintake extract --format json`` prints."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Sex = Literal["male", "female", "other"]
Flag = Literal["high", "low", "normal", "abnormal"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Patient(_Model):
    name: str | None = None
    date_of_birth: date | None = None
    sex: Sex | None = None
    mrn: str | None = None


class Report(_Model):
    lab_name: str | None = None
    collected_at: date | None = None
    reported_at: date | None = None
    ordering_provider: str | None = None


class ReferenceRange(_Model):
    """A reference interval as printed. ``low``/``high`` are the printed bounds; a
    comparator says whether a one-sided bound is strict (``<5.0``: high 5.0, ``<``) or
    inclusive (``≤5.0``: ``<=``). A plain ``a - b`` has no comparators (both inclusive)."""

    low: float | None = None
    high: float | None = None
    text: str | None = None
    low_comparator: Literal[">", ">="] | None = None
    high_comparator: Literal["<", "<="] | None = None


class Result(_Model):
    name: str
    # The label exactly as on the page; ``name`` is the catalog's canonical name when the
    # label matched one, else the printed label with its white space folded.
    name_as_printed: str | None = None
    loinc: str | None = None
    value: float | None = None
    value_text: str
    unit: str | None = None
    reference_range: ReferenceRange | None = None
    flag: Flag | None = None
    page: int | None = Field(default=None, ge=1)
    bbox: tuple[float, float, float, float] | None = None
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    # Beyond the minimal contract: where the flag came from, the panel heading the row
    # sat under, and whether a person should look at it before trusting it.
    flag_source: Literal["printed", "derived"] | None = None
    section: str | None = None
    needs_review: bool = False
    # Why a person should look (a short stable code, e.g. ``unit_not_accepted``), when
    # ``needs_review`` is set.
    review_reason: str | None = None
    # Set in the reviewed report when a person corrected this row (the extracted value is kept
    # apart, ``?as=extracted``).
    corrected: bool = False


class LabReport(_Model):
    patient: Patient = Field(default_factory=Patient)
    report: Report = Field(default_factory=Report)
    results: list[Result] = Field(default_factory=list)
