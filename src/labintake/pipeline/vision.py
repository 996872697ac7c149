"""The vision-LLM reading turned into a report: the model's answers (``extract.vision``)
parsed and validated like local parsing. Here, not in ``extract``, because it needs the
parser: the readers under ``extract`` never import ``parse``."""

from __future__ import annotations

from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.domain.schemas import LabReport, Patient, Report
from labintake.extract.document import Document, Page
from labintake.extract.vision import EXTRACTOR_PREFIX, VisionConfig, ask, page_images
from labintake.parse import ParseOutcome, to_result, validation_problems, values
from labintake.parse.catalog import get_catalog
from labintake.parse.header import parse_date, parse_person_name, parse_sex
from labintake.parse.table import RawRow


def read_with_vision(
    data: bytes, file_type: str, config: VisionConfig, *, max_pages: int, max_pixels: int,
    usage: dict[str, int] | None = None,
) -> tuple[Document, ParseOutcome]:
    """(Document, ParseOutcome) from the model's answers, validated like local parsing."""
    if not config.enabled or not config.base_url:
        raise LabIntakeError(ErrorCode.INTERNAL_ERROR, reason="vision extractor not configured")
    catalog = get_catalog()
    pages: list[Page] = []
    results = []
    patient, report = Patient(), Report()
    for number, png in enumerate(page_images(data, file_type, dpi=config.dpi, max_pages=max_pages,
                                             max_pixels=max_pixels), start=1):
        answer = ask(config, png, usage)
        pages.append(Page(number, 0.0, 0.0, [], "vision"))
        p, r = answer.get("patient") or {}, answer.get("report") or {}
        if number == 1:
            patient = Patient(
                name=parse_person_name(str(p["name"])) if p.get("name") else None,
                date_of_birth=parse_date(str(p.get("date_of_birth") or ""), birth=True),
                sex=parse_sex(str(p.get("sex") or "")),
                mrn=str(p["mrn"]) if p.get("mrn") else None,
            )
            report = Report(
                lab_name=str(r["lab_name"]) if r.get("lab_name") else None,
                collected_at=parse_date(str(r.get("collected_at") or "")),
                reported_at=parse_date(str(r.get("reported_at") or "")),
                ordering_provider=str(r["ordering_provider"]) if r.get("ordering_provider") else None,
            )
        for item in answer.get("results") or []:
            if not isinstance(item, dict) or not item.get("name"):
                continue
            value = values.parse_value(str(item.get("value_text") or ""))
            if value is None:
                continue  # the same rule as local parsing: no value, no result
            rng = values.parse_range(str(item.get("reference_range") or ""))
            flag = values.parse_flag(str(item.get("flag") or "")) if item.get("flag") else None
            row = RawRow(number, str(item["name"]), value, [], flag, item.get("unit") or None, rng,
                         item.get("section") or None)
            results.append(to_result(row, catalog))
    lab = LabReport(patient=patient, report=report, results=results)
    outcome = ParseOutcome(lab, "vision", 1, validation_problems(lab))
    doc = Document(pages, f"{EXTRACTOR_PREFIX}{config.model}")
    return doc, outcome
