"""Optional vision-LLM extractor for any OpenAI-compatible chat-completions endpoint.

Off by default (``Settings.vision_enabled``). Each page is rendered to PNG and sent with
an instruction to return the DESIGN §4 JSON; the answer is checked against the same
schema and goes through the same validation as local parsing (``pipeline.vision`` builds the
``ParseOutcome``: the reader does not import the parser), so a model that invents units or
values is caught the same way. Results carry the page they
came from and the model's confidence is not trusted: ``confidence`` is left empty and
``needs_review`` is set on anything the validation doubts.

No network library beyond httpx; no retries here (the pipeline owns retries).
"""

from __future__ import annotations

import base64
import io
import json
import re
from dataclasses import dataclass

from labintake.domain.errors import ErrorCode, LabIntakeError

EXTRACTOR_PREFIX = "vision:"

PROMPT = """You read medical laboratory reports. Return ONLY a JSON object, no prose, with this shape:
{"patient": {"name": str|null, "date_of_birth": "YYYY-MM-DD"|null, "sex": "male"|"female"|"other"|null, "mrn": str|null},
 "report": {"lab_name": str|null, "collected_at": "YYYY-MM-DD"|null, "reported_at": "YYYY-MM-DD"|null, "ordering_provider": str|null},
 "results": [{"name": str, "value_text": str, "unit": str|null, "reference_range": str|null, "flag": str|null, "section": str|null}]}
Copy value_text, unit, reference_range and flag exactly as printed (keep comparators like <0.5 and decimal commas).
One entry per result row; never invent rows that are not printed."""


@dataclass(frozen=True)
class VisionConfig:
    """Picklable settings for the extractor (built from Settings by the caller)."""

    enabled: bool = False
    base_url: str = ""
    api_key: str | None = None
    model: str = ""
    timeout_seconds: float = 60.0
    dpi: int = 150

    @classmethod
    def from_settings(cls, settings) -> VisionConfig:
        return cls(
            enabled=settings.vision_enabled,
            base_url=settings.vision_base_url or "",
            api_key=settings.vision_api_key.get_secret_value() if settings.vision_api_key else None,
            model=settings.vision_model or "",
            timeout_seconds=settings.vision_timeout_seconds,
        )


def page_images(data: bytes, file_type: str, *, dpi: int, max_pages: int, max_pixels: int) -> list[bytes]:
    """Each page as PNG bytes."""
    import numpy as np
    from PIL import Image

    from labintake.extract.sniff import PDF

    images: list[Image.Image] = []
    if file_type == PDF:
        from labintake.extract.pdf import open_pdf

        doc = open_pdf(data, max_pages)
        try:
            for i in range(len(doc)):
                images.append(doc[i].render(scale=dpi / 72).to_pil().convert("RGB"))
        finally:
            doc.close()
    else:
        from labintake.extract.image import iter_frames

        for frame, _, _ in iter_frames(data, max_pixels=max_pixels, max_pages=max_pages):
            images.append(Image.fromarray(np.asarray(frame)))
    out = []
    for img in images:
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        out.append(buf.getvalue())
    return out


def ask(config: VisionConfig, png: bytes, usage: dict[str, int] | None = None) -> dict:
    """One chat-completions call for one page; the JSON object the model returned.

    ``usage`` adds up the tokens the endpoint reports (``usage.prompt_tokens`` and
    ``completion_tokens``, the OpenAI shape) under ``input_tokens``/``output_tokens``, also
    for an answer that is then refused: the tokens were spent either way."""
    import httpx

    url = config.base_url.rstrip("/") + "/chat/completions"
    headers = {"Content-Type": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    body = {
        "model": config.model,
        "temperature": 0,
        "response_format": {"type": "json_object"},
        "messages": [
            {"role": "system", "content": PROMPT},
            {"role": "user", "content": [
                {"type": "text", "text": "Extract this lab report page."},
                {"type": "image_url",
                 "image_url": {"url": "data:image/png;base64," + base64.b64encode(png).decode("ascii")}},
            ]},
        ],
    }
    try:
        resp = httpx.post(url, json=body, headers=headers, timeout=config.timeout_seconds)
        resp.raise_for_status()
        answer = resp.json()
        if usage is not None:
            _add_usage(usage, answer.get("usage") if isinstance(answer, dict) else None)
        content = answer["choices"][0]["message"]["content"]
    except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
        raise LabIntakeError(ErrorCode.EXTRACT_TIMEOUT if isinstance(exc, httpx.TimeoutException)
                             else ErrorCode.PARSE_VALIDATION_FAILED, extractor="vision",
                             reason=type(exc).__name__) from exc
    return _json_object(content)


def _add_usage(usage: dict[str, int], reported: object) -> None:
    if not isinstance(reported, dict):
        return
    for ours, theirs in (("input_tokens", "prompt_tokens"), ("output_tokens", "completion_tokens")):
        value = reported.get(theirs)
        if isinstance(value, int) and value >= 0:
            usage[ours] = usage.get(ours, 0) + value


def _json_object(content) -> dict:
    if isinstance(content, list):  # some servers answer with content parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    text = str(content).strip()
    m = re.search(r"\{.*\}", text, re.DOTALL)  # tolerate ```json fences
    try:
        obj = json.loads(m.group(0) if m else text)
    except ValueError as exc:
        raise LabIntakeError(ErrorCode.PARSE_VALIDATION_FAILED, extractor="vision", reason="not JSON") from exc
    if not isinstance(obj, dict):
        raise LabIntakeError(ErrorCode.PARSE_VALIDATION_FAILED, extractor="vision", reason="not an object")
    return obj
