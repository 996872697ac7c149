"""Draw a generated report (:mod:`bench.corpus.genspec`) as a digital PDF.

Column widths come from what each column prints, so any column order and language
fits; a page holds at most ``rows_per_page`` rows and later pages repeat a short header
and the table's column headings. The parser never sees any of this: it reads the page.
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4, letter

from bench.corpus import headers
from bench.corpus import lang as L
from bench.corpus.fonts import fonts, is_mono
from bench.corpus.genspec import GRow, GSpec
from bench.corpus.layouts import Pdf

GAP = 12.0
BOTTOM = 60.0  # points kept free at the foot of a page
NOTES = [("HbA1c", "< 5.7 %", "Normal"), ("HbA1c", "5.7 - 6.4 %", "Prediabetes"), ("HbA1c", ">= 6.5 %", "Diabetes"),
         ("LDL", "< 100 mg/dL", "Optimal"), ("LDL", ">= 160 mg/dL", "High")]


class Doc(Pdf):
    def __init__(self, spec: GSpec) -> None:
        p = spec.params
        super().__init__(letter if p.page == "letter" else A4)
        self.regular, self.bold = fonts(p.font, p.lang)
        self.margin = 40.0

    def text(self, x, y, s, font=None, size=8.5, *, bold=False, right=False, colour=None) -> None:
        super().text(x, y, s, font or (self.bold if bold else self.regular), size, right=right, colour=colour)

    def width(self, s: str, bold: bool = False, size: float = 8.5) -> float:
        return self.c.stringWidth(s, self.bold if bold else self.regular, size)


# Out-of-range values printed in colour only ("colour" flag style): red high, blue low.
_INK = {"high": (0.8, 0.05, 0.05), "low": (0.05, 0.2, 0.75), "abnormal": (0.8, 0.05, 0.05)}


def draw(spec: GSpec) -> bytes:
    p = spec.params
    doc = Doc(spec)
    y = _top(doc, spec)
    y = headers.draw(doc, spec, y)
    size = 8.0 if is_mono(p.font) else 8.5
    if p.side_by_side:
        cols = tuple(c for c in p.columns if c not in ("prev", "method", "specimen", "code"))
        half = (doc.w - 2 * doc.margin - 16) / 2
        split = _split(spec.rows)
        ends = []
        for i, rows in enumerate((spec.rows[:split], spec.rows[split:])):
            t = _Table(doc, spec, cols, rows, doc.margin + i * (half + 16), half, size)
            ends.append(t.draw(y, paginate=False))
        doc.line(doc.margin + half + 8, y, doc.margin + half + 8, max(ends), 0.3)
        y = max(ends)
    else:
        t = _Table(doc, spec, p.columns, spec.rows, doc.margin, doc.w - 2 * doc.margin, size)
        y = t.draw(y, paginate=True)
    if p.notes_table:
        y = _notes(doc, spec, y + 16)
    n_pages = doc.page
    if n_pages > 1:
        spec.first_page_only = {"sex", "collected_at", "reported_at", "ordering_provider"}
    doc.text(doc.margin, doc.h - 30, "Synthetic report generated for testing. Not a real patient.", size=6.5)
    return doc.bytes()


def _top(doc: Doc, spec: GSpec) -> float:
    doc.text(doc.margin, 40, spec.lab, bold=True, size=13)
    doc.text(doc.margin, 53, "1 Example Road  ·  Tel 000-0000" if spec.params.font not in ("helvetica", "times", "courier")
             else "1 Example Road  -  Tel 000-0000", size=7.5)
    return 60.0


def _split(rows: list[GRow]) -> int:
    half = (len(rows) + 1) // 2
    bounds = [i for i in range(1, len(rows)) if rows[i].panel != rows[i - 1].panel] or [half]
    return min(bounds, key=lambda i: abs(i - half))


class _Table:
    def __init__(self, doc: Doc, spec: GSpec, cols: tuple[str, ...], rows: list[GRow], x0: float, width: float,
                 size: float) -> None:
        self.doc, self.spec, self.p, self.cols, self.rows = doc, spec, spec.params, cols, rows
        self.x0, self.width, self.size = x0, width, size
        lb = L.LABELS[self.p.lang]
        c = L.COLUMNS[self.p.lang]
        prev_head = f"{lb['previous']} {L.fmt_date(spec.prev_date, self.p.date_style)}"
        self.head = {"name": c[0], "value": c[1], "flag": c[2] or lb.get("flag", ""), "unit": c[3], "range": c[4],
                     "prev": prev_head, "method": lb["method"], "specimen": lb["specimen"], "code": lb["code"]}
        self.name_cap = None
        self._fit()

    def cell(self, r: GRow, col: str) -> str:
        return {"name": r.name + (f"  {r.site}" if r.site else ""), "value": r.shown, "flag": r.mark, "unit": r.unit_printed, "prev": r.prev,
                "method": r.method, "specimen": r.specimen, "code": r.code}.get(col, "")

    def _widths(self) -> dict[str, float]:
        d, s = self.doc, self.size
        out = {}
        for col in self.cols:
            cells = [self.cell(r, col) for r in self.rows] if col != "range" else \
                [line for r in self.rows for line in r.range_lines]
            w = max([d.width(self.head[col], True, s)] + [d.width(x, col == "value", s) for x in cells])
            out[col] = w
        if self.name_cap is not None:
            out["name"] = min(out["name"], self.name_cap)
        return out

    def _fit(self) -> None:
        if self.p.wrap_names:
            self.name_cap = 92.0
        while True:
            w = self._widths()
            if sum(w.values()) + GAP * (len(w) - 1) <= self.width or self.size <= 6.0:
                break
            if self.name_cap is None:
                self.name_cap = 100.0
            else:
                self.size -= 0.5
        x, self.x = self.x0, {}
        spare = max(0.0, self.width - sum(w.values()) - GAP * (len(w) - 1))
        gap = GAP + min(spare / max(1, len(w) - 1), 30.0)
        for col in self.cols:
            self.x[col] = x
            x += w[col] + gap
        self.w = w

    def _wrap(self, name: str) -> list[str]:
        cap = self.w["name"]
        if self.doc.width(name, False, self.size) <= cap:
            return [name]
        words, lines, cur = name.split(), [], ""
        if len(words) == 1:  # a CJK name has no spaces: cut by characters
            words = list(name)
        joiner = "" if len(name.split()) == 1 else " "
        for w in words:
            trial = (cur + joiner + w) if cur else w
            if self.doc.width(trial, False, self.size) <= cap or not cur:
                cur = trial
            else:
                lines.append(cur)
                cur = w
        return [*lines, cur]

    def _heading(self, y: float) -> float:
        d = self.doc
        y += 14
        if self.p.ruled:
            d.box(self.x0 - 2, y - 10, self.width + 4, 14, fill=0.88)
        for col in self.cols:
            d.text(self.x[col], y, self.head[col], bold=True, size=self.size)
        d.line(self.x0, y + 4, self.x0 + self.width, y + 4, 0.5)
        return y + 4

    def draw(self, y: float, *, paginate: bool) -> float:
        d, s, p = self.doc, self.size, self.p
        y = self._heading(y)
        section, on_page = None, 0
        for r in self.rows:
            name_lines = self._wrap(r.name) if p.wrap_names or self.name_cap else [r.name]
            extra = max(len(name_lines), len(r.range_lines)) - 1 + (1 if p.method_line and r.method else 0)
            need = (s + 4) * (1 + extra) + (s + 10 if p.sections and r.section != section else 0)
            if paginate and (on_page >= p.rows_per_page or y + need > d.h - BOTTOM):
                self._footer()
                d.new_page()
                y = headers.repeated(d, self.spec, 30)
                y = self._heading(y)
                on_page = 0
                section = None
            if p.sections and r.section != section:
                y += s + 10
                d.text(self.x0, y, r.section, bold=p.bold_headings, size=s + 0.5)
            section = r.section
            y += s + 4
            r.page = d.page
            on_page += 1
            for col in self.cols:
                x = self.x[col]
                if col == "name":
                    for i, line in enumerate(name_lines):
                        d.text(x + (6 if i else 0), y + i * (s + 2), line, size=s)
                    if r.site:  # raised and small, after the name's last line
                        last = name_lines[-1]
                        d.text(x + (6 if len(name_lines) > 1 else 0) + d.width(last, False, s) + 1.5,
                               y + (len(name_lines) - 1) * (s + 2) - s * 0.35, r.site, size=s * 0.6)
                elif col == "range":
                    for i, line in enumerate(r.range_lines):
                        d.text(x, y + i * (s + 2), line, size=s)
                else:
                    d.text(x, y, self.cell(r, col), bold=(col == "value" and r.bold) or col == "flag", size=s,
                           colour=_INK.get(r.colour) if col == "value" else None)
            below = max(len(name_lines), len(r.range_lines)) - 1
            y += below * (s + 2)
            if p.method_line and r.method:
                y += s + 1
                d.text(self.x[self.cols[0]] + 6, y, f"{L.LABELS[p.lang]['method']}: {r.method}", size=s - 1.5)
            if p.ruled:
                d.line(self.x0, y + 3, self.x0 + self.width, y + 3, 0.2)
        if paginate and d.page > 1:
            self._footer()
        return y + 8

    def _footer(self) -> None:
        d = self.doc
        d.text(d.w - d.margin, d.h - 42, f"{L.LABELS[self.p.lang]['page']} {d.page}", size=7, right=True)


def _notes(doc: Doc, spec: GSpec, y: float) -> float:
    """An interpretation table: analyte names and numbers that are not results."""
    if y + 13 + len(NOTES) * 11 > doc.h - BOTTOM:
        return y  # no room: a page holding only notes would be a page with no results
    doc.text(doc.margin, y, L.LABELS[spec.params.lang]["notes"], bold=True, size=9)
    for i, (analyte, rng_text, meaning) in enumerate(NOTES):
        yy = y + 13 + i * 11
        doc.text(doc.margin + 8, yy, analyte, size=7.5)
        doc.text(doc.margin + 80, yy, rng_text, size=7.5)
        doc.text(doc.margin + 180, yy, meaning, size=7.5)
    return y + 13 + len(NOTES) * 11
