"""Scoring one extraction against its ground truth.

A result counts as found when its value matches (numbers within 1e-6 relative,
qualitative values by text) and its name matches the truth by any one key: the
printed label, the canonical name or the LOINC code. The code is only an alternative
key, so the truth need not follow the catalog as its codes are reworked (a wrong
code on a right name and value still counts as found; code accuracy is not scored here).
Unit, range, flag and printed-name accuracy are over the found results; patient and
date accuracy over files. A file that failed counts every truth row as missed and
every header field as wrong.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field


@dataclass
class Score:
    truth: int = 0
    predicted: int = 0
    found: int = 0
    unit_ok: int = 0
    range_ok: int = 0
    flag_ok: int = 0
    printed_ok: int = 0  # name_as_printed right, over found results whose truth has one
    printed_n: int = 0
    files: int = 0
    name_ok: int = 0
    dob_ok: int = 0
    collected_ok: int = 0
    sex_ok: int = 0
    pages: int = 0
    seconds: list[float] = field(default_factory=list)  # per page
    failures: int = 0
    retried: int = 0  # files that ran a second parse strategy

    def add(self, other: Score) -> None:
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
    s = unicodedata.normalize("NFKC", s or "")
    s = unicodedata.normalize("NFKD", s).lower()
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


def same_analyte(t: dict, p: dict) -> bool:
    """The prediction names the truth's test: by printed label, canonical name or code."""
    if t.get("loinc") and p.get("loinc") == t["loinc"]:
        return True
    keys = {_norm_text(t["name"]), _norm_text(t.get("name_as_printed"))} - {""}
    return bool(keys & ({_norm_text(p.get("name")), _norm_text(p.get("name_as_printed"))} - {""}))


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
        match = next((i for i, p in enumerate(preds) if i not in used and same_analyte(t, p) and _same_value(t, p)),
                     None)
        if match is None:
            near = [p for p in preds if same_analyte(t, p)]
            misses.append(f"missed {t.get('name_as_printed') or t['name']}={t['value_text']} "
                          f"got {[(p.get('name'), p.get('value_text')) for p in near][:2]}")
            continue
        used.add(match)
        p = preds[match]
        s.found += 1
        s.unit_ok += p.get("unit") == t["unit"]
        s.range_ok += _same_range(t, p)
        s.flag_ok += p.get("flag") == t["flag"]
        if t.get("name_as_printed"):
            s.printed_n += 1
            ok = _norm_text(p.get("name_as_printed")) == _norm_text(t["name_as_printed"])
            s.printed_ok += ok
            if not ok:
                misses.append(f"printed name {t['name_as_printed']!r}: {p.get('name_as_printed')!r}")
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
    for key, ok, got_value, want in (("name", s.name_ok, gp.get("name"), tp["name"]),
                                     ("dob", s.dob_ok, gp.get("date_of_birth"), tp["date_of_birth"]),
                                     ("collected", s.collected_ok, gr.get("collected_at"), tr["collected_at"]),
                                     ("sex", s.sex_ok, gp.get("sex"), tp["sex"])):
        if not ok:
            misses.append(f"header {key}: {got_value!r} != {want!r}")
    return s, misses
