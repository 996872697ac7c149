"""The accuracy corpus generator (bench/corpus): deterministic, truthful, two disjoint sets,
and a scorer that counts errors honestly."""

from __future__ import annotations

import json
import re
import unicodedata

import pypdfium2 as pdfium
import pytest

from bench import accuracy
from bench.corpus import build, genspec, params, render
from bench.corpus.layouts import LAYOUTS
from bench.corpus.score import score_file

TRAITS = ("lang", "header", "name_style", "font", "flag_style", "range_style", "date_style", "side_by_side",
          "wrap_names", "method_line", "notes_table", "thousands", "leading_zero", "name_suffix")


def _reports(set_name: str) -> list[tuple[str, int]]:
    return [(fam, seed) for fam, seeds in params.seeds(set_name).items() for seed in seeds]


def _page_texts(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [unicodedata.normalize("NFKC", doc[i].get_textpage().get_text_range()) for i in range(len(doc))]
    finally:
        doc.close()


def _same_twice(tmp_path, formats):
    fam, seed = _reports("dev")[0]
    name = f"{fam}_{seed}"
    a = build(tmp_path / "a", layouts=[name], formats=formats)
    b = build(tmp_path / "b", layouts=[name], formats=formats)
    assert [i.path for i in a] == [i.path for i in b] and len(a) >= len(formats)
    for x, y in zip(a, b, strict=True):
        assert (tmp_path / "a" / x.path).read_bytes() == (tmp_path / "b" / y.path).read_bytes()
        assert (tmp_path / "a" / x.truth).read_text() == (tmp_path / "b" / y.truth).read_text()
    assert params.sample(fam, seed) == params.sample(fam, seed)


def test_same_seed_gives_the_same_pdf_and_truth(tmp_path):
    _same_twice(tmp_path, ("digital_pdf",))


@pytest.mark.slow
def test_same_seed_gives_the_same_scan_and_photo(tmp_path):
    _same_twice(tmp_path, ("scan_png", "photo_jpeg"))


def test_sets_have_their_own_families_and_seeds():
    assert not set(params.DEV_FAMILIES) & set(params.HELD_BACK_FAMILIES)
    dev = {seed for _, seed in _reports("dev")}
    held = {seed for _, seed in _reports("held_back")}
    probe = {seed for _, seed in _reports("probe")}
    assert dev and held and probe and not dev & held and not probe & (dev | held)
    assert not set(params.PROBE_FAMILIES) & (set(params.DEV_FAMILIES) | set(params.HELD_BACK_FAMILIES))


def test_held_back_combines_traits_the_dev_set_also_shows():
    """Held back means unseen combinations, not traits nobody could develop against."""
    seen = {s: {k: set() for k in TRAITS} for s in params.SETS}
    for s in params.SETS:
        for fam, seed in _reports(s):
            p = params.sample(fam, seed)
            for k in TRAITS:
                seen[s][k].add(getattr(p, k))
    for k in TRAITS:
        assert seen["held_back"][k] <= seen["dev"][k], k
    dev_layouts = {tuple(sorted(vars(params.sample(f, s)).items())[1:]) for f, s in _reports("dev")}
    held_layouts = {tuple(sorted(vars(params.sample(f, s)).items())[1:]) for f, s in _reports("held_back")}
    assert not dev_layouts & held_layouts


def test_legacy_layouts_are_in_dev(tmp_path):
    items = build(tmp_path, layouts=["european_de"], formats=("digital_pdf",))
    assert [(i.set, i.family) for i in items] == [("dev", "european_de")]
    assert len(LAYOUTS) == 8
    truth = json.loads((tmp_path / items[0].truth).read_text(encoding="utf-8"))
    assert all(r["name_as_printed"] for r in truth["results"])


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


@pytest.mark.parametrize("fam,seed", _reports("dev") + _reports("held_back"),
                         ids=lambda v: str(v))
def test_truth_is_what_the_page_prints(fam, seed):
    """Every value, printed name, range and header field of the truth is on its page."""
    spec = genspec.make(params.sample(fam, seed))
    pdf = render.draw(spec)
    pages = [_squash(t) for t in _page_texts(pdf)]
    truth = spec.truth()
    for r in truth["results"]:
        page = pages[r["page"] - 1]
        assert _squash(r["value_text"]) in page, r
        assert _squash(r["name_as_printed"]) in page or all(_squash(w) in page for w in r["name_as_printed"].split()), r
        for line in r["reference_range"]["text"].split(" / "):
            assert _squash(line) in page, r
    first = pages[0]
    assert _squash(spec.printed_name) in first
    for key in ("date_of_birth",):
        assert truth["patient"][key]
    p = spec.params
    from bench.corpus.lang import fmt_date

    for d in (spec.dob, spec.collected, spec.reported):
        assert _squash(fmt_date(d, p.date_style)) in first
    # The flag marks are printed as the style says.
    for row in spec.rows:
        page = pages[row.page - 1]
        assert _squash(row.shown) in page
        if row.mark:
            assert row.mark in page


def test_glued_flags_and_values_are_printed_as_labs_print_them():
    p = params.sample("eu_glued", params.seeds("dev")["eu_glued"][0])
    for style, want in (("glued_star_pre", "*{v}"), ("glued_star_post", "{v}*"), ("glued_paren", "{v}(H)"),
                        ("glued_letter", "{v}H"), ("glued_arrow", "↑{v}"), ("spaced_letter", "{v} H")):
        spec = genspec.make(params.Params(**{**vars(p), "flag_style": style}))
        high = [r for r in spec.rows if r.flag == "high"]
        assert high, style
        assert all(r.shown == want.format(v=r.value_text) for r in high), style
        assert all(r.shown == r.value_text for r in spec.rows if r.flag == "normal")


def test_dates_follow_the_country():
    from datetime import date

    from bench.corpus.lang import fmt_date

    d = date(2025, 3, 4)
    assert fmt_date(d, "mdy_slash") == "03/04/2025" and fmt_date(d, "dmy_slash") == "04/03/2025"
    assert fmt_date(d, "dmy_dot") == "04.03.2025" and fmt_date(d, "zh") == "2025年03月04日"
    for fam, seed in _reports("dev") + _reports("held_back"):
        p = params.sample(fam, seed)
        assert (p.date_style == "mdy_slash") == (p.country == "us"), (fam, seed)


def _truth(rows):
    return {"patient": {"name": "Jane Doe", "date_of_birth": "1980-01-02", "sex": "female", "mrn": "1"},
            "report": {"collected_at": "2025-01-02"}, "results": rows}


def _row(name, printed, loinc, value):
    return {"name": name, "name_as_printed": printed, "loinc": loinc, "value": value, "value_text": str(value),
            "unit": "g/dL", "reference_range": {"low": 1.0, "high": 2.0, "text": "1.0 - 2.0"}, "flag": "normal"}


def test_a_failed_file_misses_every_row_and_field():
    s, _ = score_file(_truth([_row("Hemoglobin", "Hb", "718-7", 1.5)] * 3), None, 1.0, 1)
    assert (s.truth, s.found, s.failures, s.recall, s.name_ok, s.collected_ok) == (3, 0, 1, 0.0, 0, 0)


def test_a_result_matches_by_printed_name_canonical_name_or_code():
    truth = _truth([_row("Hemoglobin", "Hämoglobin", "718-7", 14.0)])
    for pred in ({"name": "Hämoglobin", "loinc": None}, {"name": "Hemoglobin", "loinc": None},
                 {"name": "Hb?", "loinc": "718-7"}, {"name": "x", "name_as_printed": "Hämoglobin", "loinc": None}):
        s, _ = score_file(truth, {"results": [{**pred, "value": 14.0, "value_text": "14,0"}]}, 0.1, 1)
        assert s.found == 1, pred
    s, _ = score_file(truth, {"results": [{"name": "Glucose", "loinc": "2345-7", "value": 14.0}]}, 0.1, 1)
    assert s.found == 0 and s.predicted == 1
    s, _ = score_file(truth, {"results": [{"name": "Hemoglobin", "name_as_printed": "Hämoglobin", "value": 14.0}]},
                      0.1, 1)
    assert (s.printed_ok, s.printed_n) == (1, 1)


def test_held_back_misses_are_not_printed(tmp_path, monkeypatch, capsys):
    fam, seed = _reports("held_back")[0]
    dev_fam, dev_seed = _reports("dev")[0]
    monkeypatch.setattr(accuracy, "run_inprocess", lambda path: (None, 0.01, {"error": "not_a_lab_report"}))
    args = ["--corpus", str(tmp_path), "--format", "digital_pdf", "-v",
            "--layout", f"{fam}_{seed}", "--layout", f"{dev_fam}_{dev_seed}"]
    assert accuracy.main(args) == 0
    out = capsys.readouterr().out
    assert f"{dev_fam}_{dev_seed}.pdf" in out and "file failed" in out  # dev misses are listed
    assert f"{fam}_{seed}" not in out and "held-back set: by format" in out  # held back: figures only
    assert out.count("file failed") == 1
    accuracy.main([*args, "--show-held-back"])
    assert f"{fam}_{seed}.pdf" in capsys.readouterr().out


def test_name_suffixes_codes_belong_to_the_label_site_marks_do_not():
    p = params.sample("us_reference", params.seeds("dev")["us_reference"][0])
    coded = genspec.make(params.Params(**{**vars(p), "name_suffix": "code"}))
    assert all(re.search(r" \(ICD-9: [OVW]\d\d\)$", r.name) for r in coded.rows)
    site = genspec.make(params.Params(**{**vars(p), "name_suffix": "site"}))
    assert all(r.site and r.site not in r.name for r in site.rows)
    page = _squash("".join(_page_texts(render.draw(site))))
    assert all(_squash(w) in page for r in site.rows for w in r.name.split())
    for style, high in (("col_bracket", "[H]"), ("col_triangle", "▲")):
        spec = genspec.make(params.Params(**{**vars(p), "flag_style": style}))
        assert {r.mark for r in spec.rows if r.flag == "high"} == {high}


def test_colour_only_flags_are_printed_in_colour_and_read_as_printed_flags():
    """The "colour" flag style prints out-of-range values red or blue with no mark, and
    extraction reads them back as printed flags."""
    from labintake.extract import extract_document
    from labintake.parse import parse_document

    p = params.sample("letter", params.seeds("dev")["letter"][0])
    spec = genspec.make(params.Params(**{**vars(p), "flag_style": "colour"}))
    out = [r for r in spec.rows if r.flag in ("high", "low")]
    assert out and all(r.colour == r.flag and r.shown == r.value_text and not r.mark for r in out)
    results = parse_document(extract_document(render.draw(spec), "application/pdf")).results
    printed = {r.value_text for r in results if r.flag_source == "printed"}
    assert {r.value_text for r in out} <= printed
