"""The streamed XLSX reader gives what openpyxl's read-only mode gives, within bounded memory."""

import io
import re
import tracemalloc
import zipfile
from datetime import date, datetime
from itertools import islice

import pytest
from django_scopes import scope
from openpyxl import Workbook, load_workbook

from traguardo.exchange import layout, reading, xlsx_reading
from traguardo.exchange.xlsx import plan_workbook, read_workbook
from traguardo.imports.authority import authority_names

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def openpyxl_rows(data: bytes) -> dict[str, list[tuple]]:
    """What the reader read before (openpyxl, read-only, cached values), sheet by sheet."""
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheets = {}
    for sheet in book.worksheets:
        sheet.reset_dimensions()
        width = len(layout.SCHEDE.columns) + reading.COLUMN_SLACK
        sheets[sheet.title] = list(sheet.iter_rows(max_col=width, values_only=True))
    book.close()
    return sheets


def streamed_rows(data: bytes) -> dict[str, list[tuple]]:
    book = xlsx_reading.Workbook(data)
    width = len(layout.SCHEDE.columns) + reading.COLUMN_SLACK
    sheets = {title: list(book.rows(title, width)) for title in book.parts}
    book.close()
    return sheets


def openpyxl_draft(name: str, data: bytes):
    """The draft as the reader made it with openpyxl (the instructions' first lines included)."""
    sheets = openpyxl_rows(data)
    draft = reading.read_tables(name, "xlsx", sheets)
    lines = sheets.get(str(layout.INSTRUCTIONS_SHEET), [])[:10]
    draft.authority_names = authority_names([r[0] for r in lines if isinstance(r[0], str)])
    return draft


@pytest.fixture(params=["demo", "rich"])
def plan(request):
    return request.getfixturevalue(request.param)


def test_the_export_reads_as_openpyxl_reads_it(plan):
    with scope(authority=plan.authority):
        data = plan_workbook(plan)
    assert streamed_rows(data) == openpyxl_rows(data)
    assert read_workbook("piano.xlsx", data) == openpyxl_draft("piano.xlsx", data)


# A "Schede" sheet as Excel or LibreOffice may write it: shared strings (one rich, one with
# phonetic runs), an inline rich string, a number stored as text, a date and a number in a
# date style, booleans, an error, formulas (plain, shared, without a cached value), a row
# without its number, cells without references, a gap of empty rows, a merged range.
ODD_SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<x:dimension ref="A1:C2"/>
<x:cols><x:col min="1" max="3" width="12"/></x:cols>
<x:sheetData>
<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c>
<x:c r="C1" t="inlineStr"><x:is><x:r><x:t>Ti</x:t></x:r>
<x:r><x:rPr><x:b/></x:rPr><x:t>tolo</x:t></x:r></x:is></x:c>
<x:c r="D1" t="s"><x:v>2</x:v></x:c><x:c r="E1" t="s"><x:v>3</x:v></x:c></x:row>
<x:row r="2"><x:c r="A2"><x:v>1</x:v></x:c><x:c r="B2" t="str"><x:v>0042</x:v></x:c>
<x:c r="C2" t="inlineStr"><x:is><x:t xml:space="preserve"> =SOMMA(A1) </x:t></x:is></x:c>
<x:c r="D2" s="1"><x:v>43831</x:v></x:c><x:c r="E2" t="b"><x:v>1</x:v></x:c></x:row>
<x:row><x:c><x:v>2.5</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c><x:c t="b"><x:v>0</x:v></x:c>
<x:c r="F3" t="d"><x:v>2020-02-03T00:00:00</x:v></x:c></x:row>
<x:row r="7"><x:c r="A7"><x:f>A2+1</x:f><x:v>2</x:v></x:c>
<x:c r="B7"><x:f t="shared" ref="B7:B8" si="0">A7*2</x:f><x:v>4</x:v></x:c>
<x:c r="C7"><x:f>NOW()</x:f></x:c><x:c r="D7" s="1"><x:v>1E+20</x:v></x:c>
<x:c r="E7" t="s"><x:v>4</x:v></x:c><x:c r="ZZ7"><x:v>9</x:v></x:c></x:row>
<x:row r="8"><x:c r="A8"><x:v>-3</x:v></x:c>
<x:c r="B8"><x:f t="shared" si="0"/><x:v>-6</x:v></x:c></x:row>
<x:row r="5"><x:c r="A5"><x:v>99</x:v></x:c></x:row>
</x:sheetData>
<x:mergeCells count="1"><x:mergeCell ref="C8:E8"/></x:mergeCells>
</x:worksheet>"""
SHARED = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5">
<si><t>N. scheda</t></si>
<si><r><t>Codice </t></r><r><rPr><i/></rPr><t>obiettivo</t></r></si>
<si><t>Anno</t><rPh sb="0" eb="1"><t>ignored</t></rPh></si>
<si><t xml:space="preserve">a_x005F_x000D_b </t></si>
<si><t/></si>
</sst>"""


def odd_workbook() -> bytes:
    """A workbook of openpyxl's whose "Schede" sheet and shared strings are replaced."""
    book = Workbook()
    book.active.title = "Istruzioni"
    book.active["A1"] = "Piano della performance 2020 — Comune di Prova"
    sheet = book.create_sheet("Schede")
    sheet["A1"] = date(2020, 1, 1)  # gives the stylesheet a date style: s="1"
    book.create_sheet("Grafico")
    out = io.BytesIO()
    book.save(out)
    source = zipfile.ZipFile(out)
    target_bytes = io.BytesIO()
    with zipfile.ZipFile(target_bytes, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = ODD_SHEET.encode()
            elif info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                    b"</Types>",
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            target.writestr(info.filename, data)
        target.writestr("xl/sharedStrings.xml", SHARED.encode())
    return target_bytes.getvalue()


def test_odd_cells_read_as_openpyxl_reads_them():
    data = odd_workbook()
    streamed = streamed_rows(data)
    assert streamed == openpyxl_rows(data)
    rows = streamed["Schede"]
    assert rows[0][:5] == ("N. scheda", "Codice obiettivo", "Titolo", "Anno", "a_x000D_b ")
    # A number stored as text stays text; a formula-like text stays text (never evaluated).
    assert rows[1][:5] == (1, "0042", " =SOMMA(A1) ", datetime(2020, 1, 1), True)
    assert rows[2][:6] == (2.5, "#N/A", False, None, None, datetime(2020, 2, 3))
    assert rows[3] == rows[4] == rows[5] == (None,) * len(rows[0])  # the gap, and row 5
    # Formulas give their cached value, or nothing; a date out of range is an error value.
    assert rows[6][:5] == (2, 4, None, "#VALUE!", "")
    assert rows[7][:2] == (-3, -6)
    assert len(rows) == 8


def test_the_odd_sheet_reads_into_the_same_draft_as_with_openpyxl():
    data = odd_workbook()
    draft = read_workbook("piano.xlsx", data)
    assert draft == openpyxl_draft("piano.xlsx", data)
    assert draft.blocking  # the other sheets are missing: said, located, as before
    assert "Manca il foglio «Indicatori»" in " ".join(p.message for p in draft.problems)


def _openpyxl_workbook(rows: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Schede")
    columns = layout.SCHEDE.columns
    sheet.append([c.title for c in columns])
    text = "Descrizione dell'obiettivo con un testo di media lunghezza " * 3
    for n in range(1, rows + 1):
        sheet.append([n, f"OB{n}", text, 2020, 2020, 2022] + [text] * (len(columns) - 6))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def big_workbook(rows: int) -> bytes:
    """A 'Schede' sheet of ``rows`` rows of every layout column, a long text each: openpyxl
    writes the header and the first row, the others are that row's XML again with their own
    number and code (the bytes openpyxl writes for them, without its 3 s of CPU for 10,000)."""
    small = _openpyxl_workbook(1)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(small)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode("utf-8")
                start, end = xml.index('<row r="2"'), xml.index("</row>", xml.index('<row r="2"'))
                row = xml[start : end + len("</row>")]
                template = re.sub(r'r="([A-Z]*)2"', r'r="\g<1>{r}"', row.replace("{", "{{"))
                template = template.replace("<v>1</v>", "<v>{n}</v>", 1)
                template = template.replace("<t>OB1</t>", "<t>OB{n}</t>", 1)
                rows_xml = "".join(template.format(n=n, r=n + 1) for n in range(1, rows + 1))
                data = (xml[:start] + rows_xml + xml[end + len("</row>") :]).encode("utf-8")
            target.writestr(info, data)
    return out.getvalue()


def test_thousands_of_rows_are_read_in_bounded_memory():
    """Streaming 4,000 rows (about 16 MB of XML) takes the memory of a few rows, whatever
    the file's length: each row is dropped once read. Kept, the rows hold their texts (about
    18 MB here), and nothing more. The bound is on the heap, not on the time (``make bench``
    prints it)."""
    # 4,000 rows under 2.5 MB, not 10,000 under 5 MB (tracemalloc makes each row slow): the
    # peak is about 1.0 MB here (1.4 MB for 10,000), so a leak of about 450 bytes a row fails
    # either way, and rows or XML kept whole (16-18 MB) are far over the bound.
    data = big_workbook(4_000)
    tracemalloc.start()
    try:
        book = xlsx_reading.Workbook(data)
        width = len(layout.SCHEDE.columns) + reading.COLUMN_SLACK
        rows = sum(1 for _row in book.rows("Schede", width))
        book.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rows == 4_001
    assert peak < 2.5 * MB, f"{peak / MB:.1f} MB"


def test_a_row_far_below_is_not_reached_row_by_row_from_the_file():
    """A cell on row 1,048,576: the blank rows before it are made as they are taken, and the
    reader stops at the limit having parsed the file's two rows, not a million."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Schede"
    sheet["A1"] = "N. scheda"
    sheet["B1048576"] = "ancora"
    out = io.BytesIO()
    book.save(out)
    reader = xlsx_reading.Workbook(out.getvalue())
    parsed = []
    real = reader._sheet_rows
    reader._sheet_rows = lambda source, width: (parsed.append(r) or r for r in real(source, width))
    rows = reader.rows("Schede", 3)
    taken = list(islice(rows, reading.MAX_ROWS + 1))
    assert next(rows, None) is not None  # one more: the sheet goes on
    rows.close()
    reader.close()
    assert len(taken) == reading.MAX_ROWS + 1 and len(parsed) == 2


def test_a_part_with_a_doctype_is_refused():
    data = odd_workbook()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                content = re.sub(
                    rb"<\?xml[^>]*\?>", b'<?xml version="1.0"?><!DOCTYPE x:worksheet>', content
                )
            target.writestr(info.filename, content)
    book = xlsx_reading.Workbook(out.getvalue())
    with pytest.raises(ValueError, match="DTD"):
        list(book.rows("Schede", 3))
    book.close()
