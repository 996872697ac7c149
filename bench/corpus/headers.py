"""The header block of a generated report, in one of six styles.

- ``grid``: label: value pairs in two columns; ``box``: the same inside a frame;
- ``three_col``: three columns of label: value pairs;
- ``stacked``: labels in small type on one line, their values on the line below;
- ``details``: a "Patient Details" heading with the name on the first line, unlabelled;
- ``pipe``: ``Name | DOB: … | MRN: …`` with the name as the unlabelled first field.
"""

from __future__ import annotations

from bench.corpus import lang as L
from bench.corpus.genspec import GSpec


def fields(spec: GSpec) -> list[tuple[str, str]]:
    """(label, value) for every header field, in the language and date style of the report."""
    p = spec.params
    lb = L.LABELS[p.lang]
    d = lambda x: L.fmt_date(x, p.date_style)  # noqa: E731
    time = f" {7 + spec.mrn.count('1'):02d}:{(int(spec.mrn) % 6) * 10:02d}" if int(spec.mrn) % 3 else ""
    return [
        (lb["patient"], spec.printed_name), (lb["dob"], d(spec.dob)), (lb["sex"], lb[spec.sex]),
        (lb["mrn"], spec.mrn), (lb["collected"], d(spec.collected) + time), (lb["reported"], d(spec.reported)),
        (lb["provider"], spec.provider),
    ]


def _sep(p) -> str:
    return "：" if p.lang == "zh" else ":"


def draw(doc, spec: GSpec, y: float) -> float:
    """Draw the header block from ``y`` (points from the top); return the y below it."""
    p = spec.params
    style = p.header
    f = fields(spec)
    sep = _sep(p)
    x0, width = doc.margin, doc.w - 2 * doc.margin
    size = 9.0
    if style in ("grid", "box"):
        left, right = f[:4], f[4:]
        lw = max(doc.width(la + sep, True, size) for la, _ in f) + 8
        top = y
        for i in range(max(len(left), len(right))):
            yy = y + 14 + i * 13
            for pair, x in ((left[i] if i < len(left) else None, x0 + 8),
                            (right[i] if i < len(right) else None, x0 + width / 2)):
                if pair is None:
                    continue
                la, va = pair
                doc.text(x, yy, la + sep, bold=True, size=size)
                doc.text(x + lw, yy, va, size=size)
        y = top + 14 + 13 * max(len(left), len(right))
        if style == "box":
            doc.box(x0, top, width, y - top)
        return y + 14
    if style == "three_col":
        cols = [f[0:3], f[3:5], f[5:7]]
        for c, items in enumerate(cols):
            for i, (la, va) in enumerate(items):
                doc.text(x0 + c * width / 3, y + 12 + i * 13, f"{la}{sep} {va}", size=size - 0.5)
        return y + 12 + 3 * 13 + 10
    if style == "stacked":
        rows = [f[0:4], f[4:7]]
        yy = y + 10
        for items in rows:
            for i, (la, va) in enumerate(items):
                x = x0 + i * width / 4
                doc.text(x, yy, la, bold=True, size=7)
                doc.text(x, yy + 11, va, size=size)
            yy += 28
        doc.line(x0, yy - 8, x0 + width, yy - 8, 0.4)
        return yy + 8
    if style == "details":
        lb = L.LABELS[p.lang]
        doc.text(x0, y + 12, lb["details"], bold=True, size=10)
        doc.line(x0, y + 16, x0 + width / 2 - 20, y + 16, 0.4)
        doc.text(x0, y + 30, f[0][1], bold=True, size=size + 0.5)  # the name, unlabelled
        for i, (la, va) in enumerate(f[1:4]):
            doc.text(x0, y + 44 + i * 13, f"{la}{sep} {va}", size=size)
        for i, (la, va) in enumerate(f[4:]):
            doc.text(x0 + width / 2, y + 30 + i * 13, f"{la}{sep} {va}", size=size)
        return y + 44 + 3 * 13 + 8
    if style == "pipe":
        first = " | ".join([f[0][1], *(f"{la}{sep} {va}" for la, va in (f[1], f[3]))])
        second = " | ".join(f"{la}{sep} {va}" for la, va in (f[2], f[4], f[5], f[6]))
        doc.text(x0, y + 14, first, bold=True, size=size + 0.5)
        doc.text(x0, y + 28, second, size=size - 0.5)
        doc.line(x0, y + 34, x0 + width, y + 34, 0.4)
        return y + 48
    raise ValueError(style)


def repeated(doc, spec: GSpec, y: float) -> float:
    """The short header later pages repeat: name, date of birth, MRN."""
    f = fields(spec)
    sep = _sep(spec.params)
    doc.text(doc.margin, y + 12, "   ".join(f"{la}{sep} {va}" for la, va in (f[0], f[1], f[3])), size=8.5)
    doc.line(doc.margin, y + 17, doc.w - doc.margin, y + 17, 0.4)
    return y + 28
