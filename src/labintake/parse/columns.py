"""Table header rows: which column holds what, in the languages reports are printed in.

A header row ("Test | Result | Flag | Units | Reference Range", "项目名称 结果 单位 参考范围")
gives each column a kind. Besides the result's own cells (name, value, flag, unit,
range) a table may carry columns that are never the current result: an earlier result
and its date, the method or specimen, a row number or test code, the performing site.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise

from rapidfuzz import fuzz, process

from labintake.parse import values
from labintake.parse.dates import parse_date
from labintake.parse.lines import Line, Segment, Word, split_segments

HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "name": ("test", "test name", "tests", "analyte", "component", "parameter", "investigation",
             "description", "test description", "examination", "procedure", "determination",
             # de, fr, es, it
             "untersuchung", "analyse", "parameter", "test", "analyt", "bestimmung",
             "analyses", "examen", "paramètre", "prueba", "pruebas", "determinación", "análisis",
             "estudio", "esame", "esami", "analisi", "determinazione",
             # pt, nl, pl, tr, zh
             "exame", "exames", "análise", "parâmetro", "onderzoek", "bepaling", "test naam",
             "badanie", "nazwa badania", "parametr", "tetkik", "test adı", "parametre", "analiz",
             "项目", "项目名称", "检验项目", "检测项目", "中文名称", "名称",
             # ru
             "показатель", "наименование", "наименование показателя", "исследование", "тест", "анализ",
             "параметр", "наименование исследования"),
    "value": ("result", "results", "value", "your value", "observed value", "result value",
              "patient result", "in range", "current result", "current result and flag",
              "result and flag", "current",
              "ergebnis", "befund", "wert", "messwert", "résultat", "résultats", "valeur",
              "resultado", "resultados", "valor", "risultato", "risultati", "valore", "esito",
              "uitslag", "resultaat", "waarde", "wynik", "wyniki", "sonuç", "sonuc", "değer",
              "结果", "检验结果", "测定值", "检测结果", "结果值", "результат", "значение", "результаты"),
    "flag": ("flag", "flags", "abnormal", "abn", "h/l", "indicator", "out of range", "status",
             "kennzeichen", "markierung", "bewertung", "indicateur", "alerte", "indicador", "marca",
             "indicatore", "sinalizador", "alerta", "vlag", "markering", "flaga", "uwagi", "durum",
             "提示", "标志", "标识", "异常提示", "状态", "отметка", "флаг", "отклонение"),
    "unit": ("units", "unit", "uom", "unit of measure", "einheit", "einheiten", "unité", "unités",
             "unidad", "unidades", "unità", "u m", "um", "unidade", "eenheid", "eenheden",
             "jednostka", "jednostki", "jedn", "birim", "单位", "ед изм", "ед. изм.", "единицы", "единицы измерения",
             "ед"),
    "range": ("reference range", "reference interval", "ref range", "ref. range", "normal range",
              "reference", "range", "ref interval", "biological reference interval",
              "reference value", "reference values", "expected range", "standard range",
              "normal values", "ref. interval", "ref range/units",
              "referenzbereich", "referenzwerte", "normbereich", "normalbereich", "referenz",
              "valeurs de référence", "valeurs de reference", "valeurs normales", "intervalle de référence",
              "références", "valores de referencia", "valor de referencia", "intervalo de referencia",
              "rango de referencia", "valori di riferimento", "intervallo di riferimento",
              "valori normali", "valores de referência", "valor de referência", "intervalo de referência",
              "referência", "referentiewaarden", "referentiewaarde", "referentie", "normaalwaarden",
              "norma", "normy", "zakres referencyjny", "wartości referencyjne", "zakres",
              "referans aralığı", "referans değerleri", "referans", "referans aralik",
              "参考范围", "参考区间", "参考值", "参考范围值", "正常值", "生物参考区间",
              "референсные значения", "референсный интервал", "референтные значения", "референсные пределы",
              "норма", "нормы", "норма для взрослых"),
    # A range printed as two columns, its lower and its upper limit.
    "range_low": ("low", "lower", "min", "min.", "minimum", "lower limit", "low limit", "ref low", "ref. low",
                  "reference low", "normal min", "norm min", "min norm", "untere grenze", "unterer grenzwert",
                  "valeur min", "valeur minimale", "mínimo", "minimo", "valor mínimo", "valore minimo",
                  "ondergrens", "min waarde", "alt sınır", "alt sinir", "dolna granica", "下限", "参考下限"),
    "range_high": ("high", "upper", "max", "max.", "maximum", "upper limit", "high limit", "ref high",
                   "ref. high", "reference high", "normal max", "norm max", "max norm", "obere grenze",
                   "oberer grenzwert", "valeur max", "valeur maximale", "máximo", "massimo", "valor máximo",
                   "valore massimo", "bovengrens", "max waarde", "üst sınır", "ust sinir", "górna granica",
                   "上限", "参考上限"),
    # Columns read past: an earlier result and its date, the method, the specimen, a
    # row number or test code, the performing site.
    "previous": ("previous result", "previous results", "previous result and date", "prior result",
                 "prior results", "previous", "prior", "last result", "previous value",
                 "previous value and date", "vorwert", "vorbefund", "letzter wert", "résultat antérieur",
                 "antériorité", "antériorités", "resultado anterior", "risultato precedente",
                 "precedente", "vorige uitslag", "vorige waarde", "poprzedni wynik", "önceki sonuç",
                 "上次结果", "历史结果", "prev result", "prev results", "prev value", "last value",
                 "prior value", "previous test", "historical", "history", "cumulative", "befund vom",
                 "historique", "anterior", "resultados anteriores", "vorige", "poprzedni", "önceki",
                 "предыдущий результат", "предыдущий"),
    "date": ("date", "datum", "fecha", "data", "tarih", "日期"),
    "method": ("method", "methode", "méthode", "método", "metodo", "metode", "metoda", "yöntem",
               "specimen", "sample", "material", "probe", "échantillon", "muestra", "campione",
               "amostra", "monster", "próbka", "numune", "方法", "检验方法", "检测方法", "方法学", "标本", "标本类型", "样本", "样本类型", "technique", "technik",
               "materiaal", "materiał", "materiale", "specimen type", "sample type", "tipo de muestra",
               "метод", "биоматериал", "материал"),
    "code": ("code", "no", "no.", "#", "s no", "s.no", "sr no", "sr. no", "nr", "lp", "序号", "代码",
             "test code", "order code", "código", "codigo", "codice", "kürzel", "kuerzel", "kod", "kodu",
             "test kodu", "kod badania", "testcode",
             "编号", "英文缩写", "缩写", "代号", "код", "№", "n п/п", "№ п/п"),
    "site": ("lab", "site", "performing lab", "performing site"),
}
# Cells of these columns are never part of the current result.
IGNORED_KINDS = frozenset({"previous", "date", "method", "code", "site"})
_RESULT_KINDS = frozenset({"name", "value", "flag", "unit", "range", "range_low", "range_high"})
BOUND_KINDS = frozenset({"range_low", "range_high"})
CJK = r"\u3000-\u9fff\uff00-\uffef"


@lru_cache(maxsize=16384)
def header_key(text: str) -> str:
    """A header cell compared across languages: folded like analyte names, CJK kept
    (and the spaces OCR puts between CJK characters removed)."""
    # Turkish dotless ı folds to i before anything that is not a-z is dropped (OCR reads
    # "Adı" as "Adi": both must find "test adı").
    text = unicodedata.normalize("NFKC", text).lower().replace("ß", "ss").replace("ı", "i")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"(?<=[a-z])\((?:s|es)\)", "", text)  # "Value(s)", "Unit(s)": the plural in brackets
    text = re.sub(rf"[^a-z0-9%#+\-\u0430-\u044f{CJK}]+", " ", text)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)
    return join_cjk(" ".join(text.split()))


_CJK_SPACE = re.compile(rf"(?<=[{CJK}])\s+(?=[{CJK}])")


# Latin letters OCR boxed one by one after a CJK character: "分布宽度 C V" is "分布宽度CV".
_CJK_LETTERS = re.compile(rf"(?<=[{CJK}])((?:\s[A-Za-z]){{2,}})(?=\s|$)")
# A lone letter before one: "C 反应蛋白" is "C反应蛋白".
_LETTER_CJK = re.compile(rf"(?:^|(?<=\s))([A-Za-z])\s(?=[{CJK}]{{2}})")


def join_cjk(text: str) -> str:
    """``白 细 胞`` -> ``白细胞``: OCR reports each CJK character as a word (and letters
    after one, one by one: ``宽度 C V`` -> ``宽度CV``)."""
    if " " not in text:
        return text
    text = _LETTER_CJK.sub(r"\1", _CJK_SPACE.sub("", text))
    return _CJK_LETTERS.sub(lambda m: m.group(1).replace(" ", ""), text)


_HEADER_LOOKUP = {header_key(w): kind for kind, ws in HEADER_WORDS.items() for w in ws}
_LONGEST_HEADER = max(len(k.split()) for k in _HEADER_LOOKUP)
# What a header cell can start with: a phrase's first word, or a CJK phrase's first
# character (OCR gives those one by one). Any other word ends the header check at once.
_STARTS = {k.split()[0] for k in _HEADER_LOOKUP} | {k[0] for k in _HEADER_LOOKUP}


_HEADER_DATE = re.compile(r"\(?(?:\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\)?")


# A heading OCR misread by a letter ("Esane" for "Esame", "Resuit" for "Result"): one-word
# headings of five letters or more, at most one letter in five wrong.
_FUZZY_HEADINGS = [k for k in _HEADER_LOOKUP if " " not in k and len(k) >= 5 and k.isalpha()]


_RANGE_QUALIFIERS = frozenset({"bio", "biological", "ref", "reference", "normal", "expected", "standard",
                               "optimal", "desirable", "therapeutic", "usual", "adult", "target"})
_RANGE_NOUNS = frozenset({"range", "ranges", "interval", "intervals", "limits", "value", "values"})


def _range_heading(key: str) -> str | None:
    """"Biological Ref. Interval", "Bio Ref Range", "Normal Ref. Range": a range noun after
    words that qualify a reference, in any combination. The noun may be cut short ("Reference
    Rang", "Ref Val"): the range is the last column, the one a scan or photo cuts at the edge."""
    *qualifiers, noun = key.split() or [""]
    if not qualifiers or not set(qualifiers) <= _RANGE_QUALIFIERS:
        return None
    return "range" if noun in _RANGE_NOUNS or (len(noun) >= 3 and any(n.startswith(noun) for n in _RANGE_NOUNS)) else None


@lru_cache(maxsize=4096)
def _cut_heading(key: str) -> str | None:
    """The last heading of a line cut short at the page edge, in any language ("Valores de
    refere", "Referentiewaard"): the one kind of every known heading that starts with it, six
    letters or more (shorter stubs start too many words)."""
    if len(key.replace(" ", "")) < 6:
        return None
    kinds = {kind for heading, kind in _HEADER_LOOKUP.items() if heading.startswith(key) and heading != key}
    return kinds.pop() if len(kinds) == 1 else None


@lru_cache(maxsize=4096)
def _near_heading(key: str) -> str | None:
    if " " in key or len(key) < 5 or not key.isalpha() or values.parse_value(key) or values.parse_flag(key):
        return None  # a result word ("Normal", "Negative") is never a misread heading
    best = process.extractOne(key, _FUZZY_HEADINGS, scorer=fuzz.ratio, score_cutoff=80)
    return _HEADER_LOOKUP[best[0]] if best is not None else None


@dataclass(slots=True)
class Column:
    kind: str
    x0: float
    x1: float


def find_header(line: Line) -> list[Column] | None:
    """Columns if ``line`` is a table header (a name and a value column, and 3+ known)."""
    cols = header_columns(line)
    if cols is None:
        return None
    if "name" not in [c.kind for c in cols]:
        # Some layouts leave the name column unlabelled: it starts at the page margin.
        cols.insert(0, Column("name", 0.0, 0.0))
    return cols


def header_columns(line: Line) -> list[Column] | None:
    cols: list[Column] = []
    dated: list[tuple[int, str]] = []  # columns headed by a date alone: (index, heading)
    for seg in line.segments:
        key = header_key(seg.text)
        kind = _HEADER_LOOKUP.get(key) or _range_heading(key) or _near_heading(key)
        if kind is None and key.count(" ") == 1 and not any(part in _HEADER_LOOKUP for part in key.split()):
            kind = _near_heading(key.replace(" ", ""))  # one heading OCR broke in two ("Referentiew arde")
        if kind is None and seg is line.segments[-1]:
            kind = _cut_heading(key)
        if kind is None and (glued := _glued_headings(seg)) is not None:
            cols.extend(glued)  # "ReferenzbereicUntersuchung": two cells OCR read as one word
            continue
        if kind is None and _HEADER_DATE.fullmatch(seg.text.strip()):
            # A cumulative report heads each column of results with its date: the newest is
            # the result, the others earlier results (see _newest_is_the_result).
            dated.append((len(cols), seg.text.strip()))
            kind = "previous"
        elif kind is None and _HEADER_DATE.search(seg.text):
            # "Previous 07/02/2024", "Result 12.03.2025": a column headed with the date
            # of the results under it.
            kind = _HEADER_LOOKUP.get(header_key(_HEADER_DATE.sub(" ", seg.text)))
        if kind is not None:
            cols.append(Column(kind, seg.x0, seg.x1))
            continue
        # "Result Flag", "序 号 代 码 项 目 名 称": several header cells read as one
        # segment; cover it with known phrases, longest first.
        ws = [c for w in seg.words if header_key(w.text) and not _HEADER_DATE.fullmatch(w.text)
              for c in _characters(w)]
        i = 0
        while i < len(ws):
            if header_key(ws[i].text) not in _STARTS:
                return None
            for j in range(min(len(ws), i + _LONGEST_HEADER + 4), i, -1):
                kind = _HEADER_LOOKUP.get(header_key(" ".join(w.text for w in ws[i:j])))
                if kind is not None:
                    cols.append(Column(kind, ws[i].x0, ws[j - 1].x1))
                    i = j
                    break
            else:
                cut = _cut_heading(header_key(" ".join(w.text for w in ws[i:]))) if seg is line.segments[-1] else None
                if cut is None:
                    return None
                cols.append(Column(cut, ws[i].x0, ws[-1].x1))
                i = len(ws)
    _newest_is_the_result(cols, dated)
    kinds = [c.kind for c in cols]
    result_kinds = {k for k in kinds if k in _RESULT_KINDS}
    if len(cols) < 3 or "value" not in kinds or len(result_kinds) < 2 or len(set(kinds)) < 3:
        return None
    return sorted(cols, key=lambda c: c.x0)


_CJK_RUN = re.compile(rf"[{CJK}]{{2,}}")
# A lower-case letter against a capital: where two abutting cells' words were read as one.
_GLUE = re.compile(r"(?<=[a-zß-ÿ])(?=[A-ZÀ-Þ])")


def _glued_headings(seg: Segment) -> list[Column] | None:
    """Two headings read as one word, where the first table's last cell abuts the next table's
    first ("ReferenzbereicUntersuchung", "Valores de referênciaAnálise"): each side of the glue
    a heading, the glued word shared between them by its letters."""
    glued = [(i, m.start()) for i, w in enumerate(seg.words) if (m := _GLUE.search(w.text)) is not None]
    if len(glued) != 1:
        return None
    [(i, cut)] = glued
    word = seg.words[i]
    if min(cut, len(word.text) - cut) < 3:
        return None
    x = word.x0 + (word.x1 - word.x0) * cut / len(word.text)
    sides = ((" ".join([*(w.text for w in seg.words[:i]), word.text[:cut]]), seg.x0, x),
             (" ".join([word.text[cut:], *(w.text for w in seg.words[i + 1:])]), x, seg.x1))
    cols = []
    for text, x0, x1 in sides:
        key = header_key(text)
        kind = _HEADER_LOOKUP.get(key) or _range_heading(key) or _near_heading(key) or _cut_heading(key)
        if kind is None:
            return None
        cols.append(Column(kind, x0, x1))
    return cols


def _characters(word: Word) -> list[Word]:
    """A run of CJK characters as one word per character, each its share of the box: headings
    printed edge to edge ("序号代码" is 序号 and 代码) are told apart by the phrases they cover."""
    if not _CJK_RUN.fullmatch(word.text):
        return [word]
    step = (word.x1 - word.x0) / len(word.text)
    return [replace(word, text=c, x0=word.x0 + i * step, x1=word.x0 + (i + 1) * step) for i, c in enumerate(word.text)]


def _newest_is_the_result(cols: list[Column], dated: list[tuple[int, str]]) -> None:
    """Of columns headed by dates alone, and no result column beside them, the newest
    (whichever way the page orders them) holds the results."""
    if not dated or any(c.kind == "value" for c in cols):
        return
    firsts = [int(m.group(1)) for _, text in dated if (m := re.match(r"\(?(\d{1,2})[./-]\d{1,2}[./-]", text))]
    readings = {order: [parse_date(text.strip("()"), day_first=order) for _, text in dated] for order in (True, False)}
    day_first = any(n > 12 for n in firsts)  # "13/01/2024" can only be read day first
    if not day_first and _in_order(readings[True]) and not _in_order(readings[False]):
        # A cumulative report's dates run in order: "12/01/25 03/02/25 04/03/25" do only
        # when read day first.
        day_first = True
    when = list(zip(readings[day_first], (k for k, _ in dated), strict=True))
    known = [(d, k) for d, k in when if d is not None]
    k = max(known)[1] if len(known) == len(dated) else dated[0][0]
    cols[k] = Column("value", cols[k].x0, cols[k].x1)


def _in_order(dates: list) -> bool:
    """Whether the dates are all known and run one way (oldest first or newest first)."""
    if len(dates) < 2 or None in dates:
        return False
    steps = [b > a for a, b in pairwise(dates) if a != b]
    return bool(steps) and len(set(steps)) == 1


def column_of(x0: float, cols: list[Column]) -> str:
    kind = cols[0].kind
    for prev, col in pairwise(cols):
        boundary = (prev.x1 + col.x0) / 2 if prev.x1 > prev.x0 else col.x0 - 2
        if x0 >= boundary:
            kind = col.kind
    return kind


def two_table_split(line: Line) -> float | None:
    cols = header_columns(line)
    if cols is None:
        return None
    values = [c for c in cols if c.kind == "value"]
    if len(values) < 2:
        return None
    # The second table starts after the first table's last column: at its own first
    # column (usually the name column) left of the second value column.
    second_value = values[1]
    first_value = values[0]
    # Each table starts with the same column (a code, or the name): the second one's
    # first column is where the left table's first kind recurs.
    first_kind = cols[0].kind
    starts = [c for c in cols if first_value.x1 < c.x0 < second_value.x0 and c.kind == first_kind]
    if not starts:
        starts = [c for c in cols if first_value.x1 < c.x0 < second_value.x0 and c.kind == "name"]
    if starts:
        return starts[0].x0 - 2
    between = [c for c in cols if first_value.x1 < c.x0 < second_value.x0]
    if not between:
        return None
    # No name column labelled: split in the widest gap between the two value columns.
    gaps = [(b.x0 - a.x1, (a.x1 + b.x0) / 2) for a, b in pairwise(cols) if first_value.x0 <= a.x0 < second_value.x0]
    return max(gaps)[1] if gaps else None


def reading_streams(lines: list[Line]) -> list[list[Line]]:
    """The page's lines as the columns they are read in.

    A header row that names the value column twice ("Test Result Units Range | Test
    Result Units Range") means two tables side by side: below it, each line is split
    at the second table's left edge, and the left table is read before the right one.
    """
    streams: list[list[Line]] = []
    current: list[Line] = []
    right: list[Line] = []
    split: float | None = None
    page = None
    for line in lines:
        if line.page != page:
            if right:
                streams.append(current)
                current, right = [], []
            split, page = None, line.page
        if split is None:
            split = two_table_split(line)
        if split is None:
            current.append(line)
            continue
        # By where each word starts: a left cell that runs past the split (a long
        # header word in a narrow column) still starts in the left table. Half a
        # line-height of slack keeps an OCR box that starts a little early on the right.
        left_words = [w for w in line.words if w.x0 < split - 0.5 * (w.y1 - w.y0)]
        right_words = [w for w in line.words if w.x0 >= split - 0.5 * (w.y1 - w.y0)]
        if left_words:
            current.append(Line(line.page, left_words, split_segments(left_words)))
        if right_words:
            right.append(Line(line.page, right_words, split_segments(right_words)))
    streams.append(current)
    if right:
        streams.append(right)
    return [s for s in streams if s]
