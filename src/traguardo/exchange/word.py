"""A scheda, or the whole plan, in Word (.docx), laid out like the paper card.

For the offices that still send Word to the Giunta. The values come from the same ``SchedaView``
the screen and the PDF use (``reports.scheda``), printed the same way: Italian numbers and
dates, scales read back in Italian, the weight checks and the engine's results. The layout is
the card's: a header table of labels and values, the ambiti with their ticks, the Punteggio
line, the "Indicatori" and "Piano operativo" tables with their totals, the note. A4 landscape,
the authority once on the first page, the plan in the page header, "Pagina x di y" in the
footer; a table row never splits across pages, a header row repeats on each page. The card's
Segnalazioni and Note di importazione are printed only on the internal copy
(``reports.copies``), whose page header says so.

``imports.word.read_docx`` reads these files back into the same schede: keep the two in step.
The font is Calibri: a Word file travels without its fonts, and every office has that one.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from traguardo.core.formats import (
    date_it,
    decimal_it,
    number_it,
    percent,
)
from traguardo.core.text import clean_line, xml_safe
from traguardo.reports import copies
from traguardo.reports.scheda import (
    PlanView,
    SchedaView,
    activity_heads,
    plan_pages,
    scheda_page,
)

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Calibri"
GREY = "D9D9D9"
MUTED = RGBColor(0x59, 0x59, 0x59)
MARK = RGBColor(0xA6, 0x1C, 0x00)  # the internal copy's mark in the page header
# Column widths in mm over the 267 mm of an A4 landscape page with 15 mm margins.
HEADER_WIDTHS = (62, 205)
AREA_WIDTHS = (8, 8, 117.5, 8, 8, 117.5)
INDICATOR_WIDTHS = (10, 18, 50, 45, 20, 25, 20, 25, 54)
ACTIVITY_WIDTHS = (9, 16, 62, 34, 38, 22, 56, 30)


def scheda_docx(objective, *, internal: bool = False) -> bytes:
    """One scheda, as the card prints it: its authority, then the card.

    ``internal``: the copy with the card's Segnalazioni and Note di importazione."""
    scheda = scheda_page(objective)
    document = _document(objective.plan, internal)
    authority = document.add_paragraph()
    authority.add_run(clean_line(objective.plan.authority.name)).font.color.rgb = MUTED
    document.add_heading(clean_line(_title(scheda)), level=1)
    _write_scheda(document, scheda, internal)
    return _bytes(document)


def plan_docx(plan, progress=None, *, internal: bool = False) -> bytes:
    """The plan's cover, then its schede grouped by responsible unit, one per page.

    ``progress``: a job's ``Progress`` (one step per scheda), or None. ``internal``: the copy
    with the cards' Segnalazioni and Note di importazione.
    """
    view = plan_pages(plan)
    if progress is not None:
        progress.set_total(len(view.rows), _("Composizione del documento Word"))
    document = _document(plan, internal)
    _cover(document, plan, view.rows, view)
    unit = object()  # not any unit id, so the first scheda opens its unit's section
    for scheda in view.rows:
        document.add_page_break()
        if scheda.objective.unit_id != unit:
            unit = scheda.objective.unit_id
            document.add_heading(clean_line(_unit_name(scheda)), level=1)
        document.add_heading(clean_line(_title(scheda)), level=2)
        _write_scheda(document, scheda, internal)
        if progress is not None:
            progress.advance(message=clean_line(_title(scheda))[:200])
    return _bytes(document)


def scheda_filename(objective) -> str:
    return _("scheda-%(code)s.docx") % {"code": objective.code or objective.position}


def plan_filename(plan) -> str:
    return _("piano-%(year)s.docx") % {"year": plan.year}


# -- the document ----------------------------------------------------------------------------


class _Document:
    """The python-docx document, with the four ways this module adds to it: each style looked
    up by name once.

    python-docx looks a style's name up again for every paragraph and table it styles, each
    time scanning the styles part twice (for the name, then for its type's default): over a
    plan's hundreds of headings and tables, a good part of the time spent writing it. The id
    written is the one python-docx writes (``DocumentPart.get_style_id``), read once a name.
    """

    def __init__(self) -> None:
        self.docx = Document()
        self._style_ids: dict[tuple[str, WD_STYLE_TYPE], str | None] = {}

    def _style_id(self, name: str, kind: WD_STYLE_TYPE) -> str | None:
        key = (name, kind)
        if key not in self._style_ids:
            self._style_ids[key] = self.docx.part.get_style_id(name, kind)
        return self._style_ids[key]

    def add_paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        paragraph = self.docx.add_paragraph(text)
        if style is not None:
            # What ``Paragraph.style = style`` sets, without the name's lookup.
            paragraph._p.style = self._style_id(style, WD_STYLE_TYPE.PARAGRAPH)
        return paragraph

    def add_heading(self, text: str, level: int) -> Paragraph:
        return self.add_paragraph(text, "Title" if level == 0 else f"Heading {level}")

    def add_page_break(self) -> None:
        self.docx.add_page_break()

    def add_table(self, rows: int, cols: int, style: str) -> Table:
        table = self.docx.add_table(rows=rows, cols=cols)
        # What ``Table.style = style`` sets, without the name's lookup.
        table._tbl.tblStyle_val = self._style_id(style, WD_STYLE_TYPE.TABLE)
        return table


def _document(plan, internal: bool = False) -> _Document:
    styled = _Document()
    document = styled.docx
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    section.header_distance = section.footer_distance = Mm(8)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(9)
    normal.paragraph_format.space_after = Pt(2)
    _language(document)
    authority = plan.authority
    properties = document.core_properties
    properties.title = clean_line(copies.titled(f"{plan.title} — {authority.name}", internal))
    properties.language = "it-IT"
    properties.author = clean_line(authority.name)
    # The plan's title on every page; the authority is named once, on the first page.
    header = section.header.paragraphs[0]
    header.text = clean_line(plan.title)
    header.runs[0].font.color.rgb = MUTED
    if internal:
        header.add_run(" · ")
        mark = header.add_run(copies.mark())
        mark.bold = True
        mark.font.color.rgb = MARK
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run(_("Pagina") + " ")
    _field(footer, "PAGE")
    footer.add_run(" " + _("di") + " ")
    _field(footer, "NUMPAGES")
    return styled


def _language(document) -> None:
    """Italian for spelling and hyphenation, in the document's default run properties."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}") if defaults is not None else None
    if rpr is None:
        return
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "it-IT")


def _field(paragraph, code: str) -> None:
    """A field Word computes when it lays the page out (the page number, the page count)."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), code)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _bytes(document: _Document) -> bytes:
    buffer = io.BytesIO()
    document.docx.save(buffer)
    return buffer.getvalue()


def _cover(document: _Document, plan, rows: list[SchedaView], view: PlanView | None = None) -> None:
    authority = document.add_paragraph()
    authority.add_run(clean_line(plan.authority.name)).bold = True
    document.add_heading(clean_line(plan.title), level=0)
    document.add_paragraph(_("Piano esecutivo di gestione — Piano degli obiettivi"))
    triennium = _("Triennio %(first)s–%(last)s") % {"first": plan.year, "last": plan.last_year}
    document.add_paragraph(triennium)
    state = _("Stato") + f": {plan.get_state_display()}"
    if plan.act_number:
        act = _("%(type)s n. %(number)s del %(date)s") % {
            "type": plan.act_type,
            "number": plan.act_number,
            "date": date_it(plan.act_date),
        }
        state += f" — {act}"
    document.add_paragraph(clean_line(state))
    count = ngettext("%(n)s scheda obiettivo", "%(n)s schede obiettivo", len(rows))
    document.add_paragraph(count % {"n": len(rows)})
    if view is not None and view.scores.period is not None:
        cover = view.coverage()
        document.add_paragraph(
            _("Risultati del periodo «%(name)s» %(when)s (%(status)s): %(counted)s.")
            % {
                "name": view.scores.period.name,
                "when": cover.when,
                "status": cover.status,
                "counted": cover.counted,
            }
        )
    if not rows:
        return
    document.add_heading(_("Indice"), level=2)
    table = _table(document, len(rows) + 1, (30, 167, 70), _("Indice delle schede"))
    _header_row(table.rows[0], [_("Codice"), _("Scheda"), _("Unità responsabile")])
    for row, scheda in zip(table.rows[1:], rows, strict=True):
        objective = scheda.objective
        code, title, unit = row.cells
        _write(code, objective.code or "—")
        _write(title, str(objective))
        _write(unit, _unit_name(scheda))


def _title(scheda: SchedaView) -> str:
    objective = scheda.objective
    code = f" {objective.code}" if objective.code else ""
    return _("Scheda obiettivo") + f"{code} — {objective}"


def _unit_name(scheda: SchedaView) -> str:
    unit = scheda.objective.unit
    return unit.name if unit else _("Unità non indicata")


# -- one scheda --------------------------------------------------------------------------------


def _write_scheda(document: _Document, scheda: SchedaView, internal: bool = False) -> None:
    objective = scheda.objective
    _head(document, scheda)
    document.add_heading(_("Ambiti della performance organizzativa"), level=3)
    _areas(document, scheda)
    _punteggio(document, scheda)
    document.add_heading(_("Indicatori"), level=3)
    _indicators(document, scheda)
    notes = xml_safe(objective.notes).split("\n") if objective.notes else [""]
    paragraph = document.add_paragraph()
    paragraph.add_run(_("Note") + ":").bold = True
    if notes[0]:
        paragraph.add_run(" " + notes[0])
    for line in notes[1:]:
        document.add_paragraph(line)
    document.add_heading(_("Piano operativo"), level=3)
    _activities(document, scheda)
    result = document.add_paragraph()
    result.add_run(_("Raggiungimento dell'obiettivo") + ": ").bold = True
    result.add_run(scheda.result_text)
    if scheda.forced:
        result.add_run(" — " + _("comprende un risultato forzato"))
    if scheda.as_of is not None and scheda.as_of.period is not None:
        result.add_run(" · " + _as_of_text(scheda))
        _indicator_results(document, scheda)
    if internal:
        _working_notes(document, scheda)


def _working_notes(document: _Document, scheda: SchedaView) -> None:
    """The card's Segnalazioni and Note di importazione: the internal copy's only."""
    if scheda.anomalies:
        document.add_heading(_("Segnalazioni"), level=3)
        for anomaly in scheda.anomalies:
            item = document.add_paragraph(style="List Bullet")
            item.add_run(
                (_("Errore") if anomaly.is_error else _("Avviso")) + ": "
            ).bold = anomaly.is_error
            item.add_run(clean_line(str(anomaly.message)))
    if scheda.import_notes:
        document.add_heading(_("Note di importazione"), level=3)
        for note in scheda.import_notes:
            document.add_paragraph(clean_line(note.message), style="List Bullet")


def _head(document: _Document, scheda: SchedaView) -> None:
    o = scheda.objective
    multi = o.is_multi_year
    if multi:
        years = f"{o.first_year}-{o.last_year} (" + _("scheda dell'anno %(y)s") % {"y": o.year}
        years += ")"
    else:
        years = str(o.year)
    involved = "; ".join(unit.name for unit in o.involved_units.all()) or o.involved_text
    annual, multi_year = ("☐", "☒") if multi else ("☒", "☐")
    kind = f"{annual} " + _("ANNUALE") + f"    {multi_year} " + _("PLURIENNALE")
    rows = [
        (_("ANNI") if multi else _("ANNO"), years),
        (_("Codice obiettivo"), o.code),
        (_("Riferimento DUP"), str(o.dup_goal) if o.dup_goal else o.dup_text),
        (_("Denominazione"), o.title),
        (_("Unità organizzativa responsabile"), o.unit.name if o.unit else o.unit_text),
        (_("Responsabile"), str(o.responsible) if o.responsible else o.responsible_text),
        (_("Unità organizzative coinvolte"), involved),
        (_("Obiettivo"), kind),
        (_("Risultato atteso"), o.expected_result),
    ]
    table = _table(document, len(rows), HEADER_WIDTHS, _("Intestazione della scheda"))
    for row, (label, value) in zip(table.rows, rows, strict=True):
        label_cell, value_cell = row.cells
        _write(label_cell, label, bold=True)
        _shade(label_cell)
        _write(value_cell, value, bold=label == _("Denominazione"))


def _areas(document: _Document, scheda: SchedaView) -> None:
    caption = _("Ambiti della performance organizzativa; quelli selezionati sono marcati con ☒")
    table = _table(document, len(scheda.area_rows), AREA_WIDTHS, caption)
    for row, pair in zip(table.rows, scheda.area_rows, strict=True):
        for side, entry in enumerate(pair):
            if entry is None:
                continue
            area, selected = entry
            cells = row.cells[side * 3 : side * 3 + 3]
            _write(cells[0], "☒" if selected else "☐")
            _write(cells[1], str(area.number))
            _write(cells[2], area.name)


def _level(level, factor: bool = False) -> str:
    if level is None:
        return "…"
    return clean_line(f"{level.label} ({'×' if factor else ''}{number_it(level.value)})")


def _punteggio(document: _Document, scheda: SchedaView) -> None:
    o = scheda.objective
    score = decimal_it(scheda.weight_score) if scheda.weight_score is not None else "…"
    paragraph = document.add_paragraph("(")
    for label, value, before in (
        (_("Strategicità"), _level(o.strategic_level), ""),
        (_("Complessità"), _level(o.complexity_level), " + "),
        (_("Tipologia"), _level(o.kind_level, factor=True), ") × "),
        (_("Punteggio"), score, " = "),
    ):
        paragraph.add_run(before)
        paragraph.add_run(f"{label}:").bold = True
        paragraph.add_run(f" {value}")


def _indicators(document: _Document, scheda: SchedaView) -> None:
    rows = scheda.indicators
    table = _table(
        document, 2 + max(len(rows), 1) + 1, INDICATOR_WIDTHS, _("Indicatori della scheda")
    )
    top = [_("N°"), _("PESO"), _("DENOMINAZIONE"), _("FORMULA DI CALCOLO")]
    top += [_("LIVELLO INTERMEDIO"), "", _("LIVELLO FINALE"), "", _("GRADUAZIONE CONSEGUIMENTO")]
    table_rows = table.rows
    _header_row(table_rows[0], top)
    _header_row(table_rows[1], ["", "", "", "", *[_("ATTESO"), _("ALLA DATA")] * 2, ""])
    # Each row's cells read once, before any merge: a merge keeps the cells it does not join.
    first, second = table_rows[0].cells, table_rows[1].cells
    for column in (0, 1, 2, 3, 8):
        first[column].merge(second[column])
    for column in (4, 6):
        first[column].merge(first[column + 1])
    for table_row, row in zip(table_rows[2:], rows, strict=False):
        i = row.indicator
        cells = table_row.cells
        values = [
            str(i.position),
            percent(i.weight),
            i.name,
            i.formula_text,
            _target_value(row.intermediate),
            _target_date(row.intermediate),
            _target_value(row.final),
            _target_date(row.final),
        ]
        for cell, value in zip(cells, values, strict=False):
            _write(cell, value)
        _grading(cells[8], i.grading_text, row.scale_text)
    if not rows:
        cells = table_rows[2].cells
        _write(cells[0].merge(cells[8]), _("Nessun indicatore."))
    _total(table, scheda.indicator_check.label)


def _activities(document: _Document, scheda: SchedaView) -> None:
    rows = scheda.activities
    extra = 1 if scheda.activity_check else 0
    caption = _("Piano operativo: sub-obiettivi e attività")
    table = _table(document, 1 + max(len(rows), 1) + extra, ACTIVITY_WIDTHS, caption)
    table_rows = table.rows
    _header_row(table_rows[0], activity_heads())
    for table_row, row in zip(table_rows[1:], rows, strict=False):
        a = row.activity
        cells = table_row.cells
        if a.start_date:
            timing = f"{date_it(a.start_date)} – " + (date_it(a.end_date) or a.timing_text)
        else:
            timing = date_it(a.end_date) if a.end_date else a.timing_text
        values = [
            str(a.position),
            percent(a.weight),
            a.title,
            timing,
            a.indicator_text,
            a.expected_text,
        ]
        for cell, value in zip(cells, values, strict=False):
            _write(cell, value)
        _grading(cells[6], a.grading_text, row.scale_text)
        period = scheda.as_of is not None and scheda.as_of.period is not None
        _write(cells[7], row.result_text if period else a.achieved_text)
    if not rows:
        cells = table_rows[1].cells
        _write(cells[0].merge(cells[7]), _("Nessuna attività."))
    if scheda.activity_check:
        _total(table, scheda.activity_check.label)


def _target_value(target) -> str:
    if target is None:
        return ""
    if target.value_text:
        return target.value_text
    return number_it(target.value)


def _target_date(target) -> str:
    if target is None:
        return ""
    return date_it(target.due_date) if target.due_date else target.due_text


def _as_of_text(scheda: SchedaView) -> str:
    """«provvisorio al 31 dicembre 2019» / «definitivo al …»."""
    status = _("definitivo") if scheda.as_of.final else _("provvisorio")
    return _("%(status)s al %(date)s") % {"status": status, "date": date_it(scheda.as_of.on)}


def _indicator_results(document: _Document, scheda: SchedaView) -> None:
    """The indicators' results as of the period's date, one line each, after the card's
    trailer (paragraphs, not a table: ``imports.word`` reads the card's tables back)."""
    if not scheda.indicators:
        return
    heading = document.add_paragraph()
    heading.add_run(
        _("Risultati degli indicatori al %(date)s") % {"date": date_it(scheda.as_of.on)} + ":"
    ).bold = True
    for row in scheda.indicators:
        item = document.add_paragraph(style="List Bullet")
        value = row.result.value if row.result is not None else None
        text = f"{row.indicator.position}. {row.indicator.name}: {row.result_text}"
        if value is not None:
            text += " — " + _("valore rilevato %(value)s") % {"value": number_it(value)}
        item.add_run(text)


def _total(table, label: str) -> None:
    """The last row: the weight check under the weights ("100,00% OK", "mancano 10,00%")."""
    cells = table.rows[-1].cells
    _write(cells[1].merge(cells[-1]), label, bold=True)


# -- table helpers -----------------------------------------------------------------------------


def _table(document: _Document, rows: int, widths, caption: str):
    """A grid table of ``rows`` rows, none of which splits across pages."""
    table = document.add_table(rows, len(widths), "Table Grid")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)  # the grid: what LibreOffice lays out by
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    # Word's alternative text for tables: what a screen reader announces.
    properties = table._tbl.tblPr
    for tag, value in (("w:tblCaption", caption), ("w:tblDescription", caption)):
        element = OxmlElement(tag)
        element.set(qn("w:val"), value)
        properties.append(element)
    return table


def _header_row(row, texts) -> None:
    """A header row: bold on grey, repeated on each page (never split, as every row)."""
    for cell, text in zip(row.cells, texts, strict=False):
        _write(cell, text, bold=True)
        _shade(cell)
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _shade(cell) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), GREY)
    cell._tc.get_or_add_tcPr().append(shading)


def _write(cell, text: str, *, bold: bool = False) -> None:
    """Text in a cell, one paragraph per line (control characters never reach the XML)."""
    lines = xml_safe(str(text or "")).split("\n")
    paragraph = cell.paragraphs[0]
    for index, line in enumerate(lines):
        if index:
            paragraph = cell.add_paragraph()
        if line:
            paragraph.add_run(line).bold = bold


def _grading(cell, text: str, scale_text: str) -> None:
    """The graduation as the card writes it, then the scale as it was read ("letta come")."""
    _write(cell, text)
    if scale_text:
        run = cell.add_paragraph().add_run(_("letta come") + f": {clean_line(scale_text)}")
        run.italic = True
        run.font.size = Pt(8)
        run.font.color.rgb = MUTED


__all__ = ["CONTENT_TYPE", "plan_docx", "plan_filename", "scheda_docx", "scheda_filename"]
