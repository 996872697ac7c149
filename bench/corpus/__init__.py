"""A deterministic corpus of fictitious lab reports with ground truth (DESIGN §4 JSON).

Two sets (see :mod:`bench.corpus.params`): ``dev`` holds the eight hand-drawn layouts of
:mod:`bench.corpus.layouts` and reports sampled from the development families;
``held_back`` holds reports sampled from other families with other seeds, scored but
never used to fix a miss.

``build(out_dir)`` writes, for each report, four formats: the digital PDF, a 200-dpi scan PNG (slight rotation, noise), a phone
photo JPEG (perspective, uneven light) and an image-only PDF. Multi-page reports become
one PNG / JPEG per page (people photograph pages one by one), each with the ground truth
of its own page. Every file has a ``.truth.json`` beside it; ``manifest.json`` lists them.

Nothing here is real patient data: names, numbers and dates are drawn from fixed seeds.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

FORMATS = ("digital_pdf", "scan_png", "photo_jpeg", "image_pdf")
SETS = ("dev", "held_back", "probe")
DEFAULT_SETS = ("dev", "held_back")  # what a run scores unless asked for the probe
VERSION = 2


@dataclass(frozen=True)
class Item:
    name: str
    layout: str
    format: str
    path: str  # relative to the corpus folder
    truth: str
    pages: int
    set: str = "dev"
    family: str = ""  # the hand-drawn layout's name, or the family a report was sampled from


def build(out_dir: Path, *, layouts: list[str] | None = None, formats: tuple[str, ...] = FORMATS,
          sets: tuple[str, ...] = DEFAULT_SETS) -> list[Item]:
    """Write the corpus (skipping files that are already there) and return its items.

    ``layouts``: only these hand-drawn layouts, generated reports (``family_seed``) or
    families."""
    from bench.corpus.layouts import LAYOUTS

    out_dir.mkdir(parents=True, exist_ok=True)
    items: list[Item] = []
    for layout, draw in LAYOUTS.items() if "dev" in sets else ():
        if layouts and layout not in layouts:
            continue
        _write_formats(out_dir, items, layout, "dev", layout, draw, formats, level=None)
    from bench.corpus import genspec, params, render
    from bench.corpus.fonts import cjk_renders

    for set_name in sets:
        for family, family_seeds in params.seeds(set_name).items():
            for seed in family_seeds:
                name = f"{family}_{seed}"
                if layouts and name not in layouts and family not in layouts:
                    continue
                p = params.sample(family, seed)
                fmts = formats
                if p.lang == "zh" and not cjk_renders():
                    fmts = tuple(f for f in formats if f == "digital_pdf")  # images would show no glyphs

                def draw(p=p):
                    spec = genspec.make(p)
                    return spec, render.draw(spec)

                _write_formats(out_dir, items, name, set_name, family, draw, fmts,
                               level=(p.scan_level, p.photo_level))
    (out_dir / "manifest.json").write_text(json.dumps([asdict(i) for i in items], indent=1), encoding="utf-8")
    return items


def _write_formats(out_dir: Path, items: list[Item], layout: str, set_name: str, family: str, draw, formats,
                   level: tuple[float, float] | None) -> None:
    """One report in every format asked for. ``level``: how rough the scan and photo are
    (None: the hand-drawn layouts' fixed degradation, so their bytes never change)."""
    from bench.corpus import degrade

    spec, pdf = draw()
    n_pages = max(r.page for r in spec.rows)
    seed = zlib.crc32(layout.encode())
    rng = np.random.default_rng(seed)
    scans = photos = None

    def write(name: str, fmt: str, data_fn, truth: dict, pages: int) -> None:
        path = out_dir / name
        truth_path = out_dir / (name.rsplit(".", 1)[0] + ".truth.json")
        if not path.exists():
            path.write_bytes(data_fn())
        truth_path.write_text(json.dumps(truth, indent=1, ensure_ascii=False), encoding="utf-8")
        items.append(Item(name.rsplit(".", 1)[0], layout, fmt, name, truth_path.name, pages, set_name, family))

    if "digital_pdf" in formats:
        write(f"{layout}.pdf", "digital_pdf", lambda: pdf, spec.truth(), n_pages)
    if {"scan_png", "image_pdf"} & set(formats):
        scans = [degrade.scan(p, rng, level and level[0]) for p in degrade.render_pages(pdf, 200)]
    if "scan_png" in formats:
        for i, img in enumerate(scans, start=1):
            suffix = f"_p{i}" if n_pages > 1 else ""
            write(f"{layout}{suffix}_scan.png", "scan_png", lambda img=img: degrade.to_png(img, 200),
                  spec.truth({i}), 1)
    if "photo_jpeg" in formats:
        photos = [degrade.photo(p, rng, level and level[1]) for p in degrade.render_pages(pdf, 170)]
        for i, img in enumerate(photos, start=1):
            suffix = f"_p{i}" if n_pages > 1 else ""
            write(f"{layout}{suffix}_photo.jpg", "photo_jpeg", lambda img=img: degrade.to_jpeg(img),
                  spec.truth({i}), 1)
    if "image_pdf" in formats:
        size = _page_size(pdf)
        write(f"{layout}_image.pdf", "image_pdf", lambda: degrade.image_only_pdf(scans, size),
              spec.truth(), n_pages)


def _page_size(pdf: bytes) -> tuple[float, float]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return tuple(doc[0].get_size())
    finally:
        doc.close()


def fingerprint() -> str:
    """Changes whenever the generator's code changes, so a stale corpus is rebuilt."""
    h = hashlib.sha1(str(VERSION).encode())
    for f in sorted(Path(__file__).parent.glob("*.py")):
        h.update(f.read_bytes())
    return h.hexdigest()[:12]
