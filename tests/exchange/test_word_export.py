"""The scheda and the plan in Word: real .docx files, read back with python-docx and with the
Word reader of the imports (the round trip)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from tests.demo import write_seed
from tests.factories import (
    ActivityFactory,
    GradingScaleFactory,
    IndicatorFactory,
    ObjectiveFactory,
    PlanFactory,
    TargetFactory,
)
from tests.jobfiles import job_file
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.exchange.word import CONTENT_TYPE, plan_docx, scheda_docx
from traguardo.imports.word import read_docx
from traguardo.jobs.models import Job
from traguardo.organization.domain import ensure_policy
from traguardo.organization.models import PerformanceArea
from traguardo.planning.models import Objective, Plan, Target

pytestmark = pytest.mark.django_db

INDICATOR_HEADS = [
    "N°",
    "PESO",
    "DENOMINAZIONE",
    "FORMULA DI CALCOLO",
    "LIVELLO INTERMEDIO",
    "LIVELLO FINALE",
    "GRADUAZIONE CONSEGUIMENTO",
]
ACTIVITY_HEADS = [
    "N°",
    "PESO",
    "SUB-OBIETTIVO / ATTIVITÀ",
    "TEMPI (I/F)",
    "INDICATORI",
    "LIVELLO ATTESO",
    "GRADUAZIONE CONSEGUIMENTO",
    "RAGGIUNTO",
]


@pytest.fixture
def demo(_seed_rows, db, client):
    """The seed plan as loaded (not this folder's ``demo``, which records measurements)."""
    demo = write_seed(_seed_rows)
    assert client.login(username="serrao", password=DEMO_PASSWORD)
    return demo


def docx_of(response) -> Document:
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE
    return Document(io.BytesIO(response.content))


def body_text(document) -> str:
    """Every paragraph and every table cell, in document order, one line each."""
    lines = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append("".join(t.text or "" for t in child.iter(qn("w:t"))))
        elif child.tag == qn("w:tbl"):
            for tc in child.iter(qn("w:tc")):
                lines.append(" ".join("".join(t.text or "" for t in tc.iter(qn("w:t"))).split()))
    return "\n".join(lines)


def unique_cells(row) -> list[str]:
    """A row's cells, a merged cell once."""
    seen, texts = set(), []
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            texts.append(cell.text)
    return texts


def test_the_scheda_docx_reads_like_the_card(client, demo):
    with scopes_disabled():
        sintel = Objective.objects.get(title="Piattaforma e-procurement SINTEL")
    response = client.get(reverse("objective_docx", args=["comune-esempio", sintel.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="scheda-2.docx"'
    document = docx_of(response)
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    assert section.header.paragraphs[0].text == "Piano 2019"  # the authority: page 1 only
    assert document.paragraphs[0].text == "Comune di Esempio"
    footer = section.footer.paragraphs[0]._p.xml
    assert "Pagina" in footer and "PAGE" in footer and "NUMPAGES" in footer
    head, areas, indicators, activities = document.tables
    assert [row.cells[0].text for row in head.rows] == [
        "ANNO",
        "Codice obiettivo",
        "Riferimento DUP",
        "Denominazione",
        "Unità organizzativa responsabile",
        "Responsabile",
        "Unità organizzative coinvolte",
        "Obiettivo",
        "Risultato atteso",
    ]
    assert [row.cells[1].text for row in head.rows][:7] == [
        "2019",
        "2",
        "",
        "Piattaforma e-procurement SINTEL",
        "Settore II",
        "Giancarlo Serrao",
        "Ufficio Contratti e Appalti",
    ]
    assert head.rows[7].cells[1].text == "☒ ANNUALE    ☐ PLURIENNALE"
    assert len(areas.rows) == 5 and unique_cells(areas.rows[0])[:3] == [
        "☐",
        "1",
        areas.rows[0].cells[2].text,
    ]
    assert unique_cells(indicators.rows[0]) == INDICATOR_HEADS
    assert unique_cells(indicators.rows[1])[4:8] == ["ATTESO", "ALLA DATA"] * 2
    second = unique_cells(indicators.rows[3])
    assert second[:8] == [
        "2",
        "50,00%",
        "Prima procedura di gara SINTEL",
        "Giorni di ritardo rispetto al 30/09/2019",
        "",
        "",
        "0",
        "30 settembre 2019",
    ]
    assert second[8].startswith("gg ritardo 5= 90% / gg10=80% / gg15=60%\nletta come: 0 gg → 100%")
    assert unique_cells(indicators.rows[-1]) == ["", "100,00% OK"]
    assert unique_cells(activities.rows[0]) == ACTIVITY_HEADS
    assert unique_cells(activities.rows[1])[:4] == [
        "1",
        "25,00%",
        "Studio della normativa aggiornata e formazione",
        "31 dicembre 2019",
    ]
    assert unique_cells(activities.rows[-1]) == ["", "100,00% OK"]
    text = body_text(document)
    order = ["Ambiti della performance", "(Strategicità:", "Indicatori", "Note:", "Piano operativo"]
    assert [text.find(s) for s in order] == sorted(text.find(s) for s in order) and -1 not in [
        text.find(s) for s in order
    ]
    assert "(Strategicità: … + Complessità: …) × Tipologia: … = Punteggio: …" in text
    assert "Raggiungimento dell'obiettivo: non misurato" in text


def test_the_plan_docx_has_a_cover_and_every_scheda_grouped_by_unit(client, demo):
    with scopes_disabled():
        Plan.objects.filter(pk=demo.pk).update(
            act_type="Delibera di Giunta", act_number="17", act_date=date(2019, 2, 5)
        )
        objectives = list(demo.objectives.prefetch_related("indicators"))
    response = job_file(client, reverse("plan_docx", args=["comune-esempio", 2019]))
    assert response["Content-Disposition"] == 'attachment; filename="piano-2019.docx"'
    document = docx_of(response)
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[:6] == [
        "Comune di Esempio",
        "Piano 2019",
        "Piano esecutivo di gestione — Piano degli obiettivi",
        "Triennio 2019–2021",
        "Stato: Bozza — Delibera di Giunta n. 17 del 5 febbraio 2019",
        "11 schede obiettivo",
    ]
    breaks = document.element.body.xpath(".//w:br[@w:type='page']")
    assert len(breaks) == 11  # one before each scheda: the cover stands alone
    units = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert units == ["Settore II", "Unità non indicata"]  # the two cards without a unit last
    schede = [
        p.text
        for p in document.paragraphs
        if p.style.name == "Heading 2" and p.text.startswith("Scheda obiettivo")
    ]
    assert len(schede) == 11
    assert schede[0] == "Scheda obiettivo 2 — Piattaforma e-procurement SINTEL"
    text = body_text(document)
    for objective in objectives:
        assert objective.title in text
        if objective.code:
            assert f"Scheda obiettivo {objective.code} — " in text
        for indicator in objective.indicators.all():
            assert indicator.name in text
    for number in ("100,00%", "50,00%", "40,00%", "20,00%", "70,00%", "10,00%"):
        assert number in text
    assert "30 aprile 2019" in text and "-20" in text and "5 giorni" in text


def test_the_plan_docx_job_gives_the_file_on_the_job_page(client, demo):
    response = client.post(reverse("plan_docx_start", args=["comune-esempio", 2019]))
    with scopes_disabled():
        job = Job.objects.get(kind="exchange.plan_docx")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert (job.output_name, job.output_type) == ("piano-2019.docx", CONTENT_TYPE)
    assert (job.done, job.total) == (11, 11)
    download = client.get(reverse("job_download", args=["comune-esempio", job.pk]))
    data = b"".join(download.streaming_content)
    assert len(read_docx("piano-2019.docx", data).schede) == 11
    bookmark = client.get(reverse("plan_docx_start", args=["comune-esempio", 2019]))
    assert bookmark["Location"] == reverse("plan_detail", args=["comune-esempio", 2019])


# -- the round trip: read_docx(scheda_docx(o)) gives back what the card shows ---------------


def shown(objective: Objective) -> dict:
    """The scheda's fields as the card prints them (names of linked rows, Italian dates)."""
    o = objective
    return {
        "code": o.code,
        "title": o.title,
        "years": (o.year, o.first_year, o.last_year),
        "dup_text": str(o.dup_goal) if o.dup_goal else o.dup_text,
        "unit_text": o.unit.name if o.unit else o.unit_text,
        "responsible_text": str(o.responsible) if o.responsible else o.responsible_text,
        "involved_text": "; ".join(u.name for u in o.involved_units.all()) or o.involved_text,
        "expected_result": o.expected_result,
        "notes": o.notes,
        "areas": sorted(a.number for a in o.areas.all()),
        "levels": tuple(
            level.label if level else ""
            for level in (o.strategic_level, o.complexity_level, o.kind_level)
        ),
        "indicators": [
            (
                i.position,
                i.weight,
                i.name,
                i.formula_text,
                i.grading_text,
                [
                    (t.kind, t.year, t.value_text, t.due_date)
                    for t in i.targets.filter(year=o.year).order_by("-kind")
                ],
            )
            for i in o.indicators.all()
        ],
        "activities": [
            (
                a.position,
                a.weight,
                a.title,
                a.start_date,
                a.end_date,
                a.indicator_text,
                a.expected_text,
                a.grading_text,
                a.achieved_text,
            )
            for a in o.activities.all()
        ],
    }


def read_back(draft) -> dict:
    s = draft
    return {
        "code": s.code,
        "title": s.title,
        "years": (s.year, s.first_year, s.last_year),
        "dup_text": s.dup_text,
        "unit_text": s.unit_text,
        "responsible_text": s.responsible_text,
        "involved_text": s.involved_text,
        "expected_result": s.expected_result,
        "notes": s.notes,
        "areas": s.area_numbers,
        "levels": (s.strategic_text, s.complexity_text, s.kind_text),
        "indicators": [
            (
                i.position,
                i.weight,
                i.name,
                i.formula_text,
                i.grading_text,
                [(t.kind, t.year, t.value_text, t.due_date) for t in i.targets],
            )
            for i in s.indicators
        ],
        "activities": [
            (
                a.position,
                a.weight,
                a.title,
                a.start_date,
                a.end_date,
                a.indicator_text,
                a.expected_text,
                a.grading_text,
                a.achieved_text,
            )
            for a in s.activities
        ],
    }


def test_every_demo_scheda_comes_back_from_its_docx(demo):
    plan = demo
    with scope(authority=plan.authority):
        objectives = list(plan.objectives.order_by("position"))
        for objective in objectives:
            draft = read_docx("scheda.docx", scheda_docx(objective))
            assert draft.problems == []
            (scheda,) = draft.schede
            assert read_back(scheda) == shown(objective), objective.title
            assert not any(p.blocking for p in scheda.problems)
            assert scheda.import_notes == []
            # What is missing on the card is said, located; nothing else.
            messages = sorted(p.message for p in scheda.problems)
            expected = []
            if not objective.code:
                expected.append("Manca il «Codice obiettivo».")
            if not objective.title:
                expected.append(
                    "Manca la «Denominazione»: la scheda è letta senza nome, da completare."
                )
            expected += [
                f"Data «{t.due_text}» non riconosciuta: resta come testo."
                for i in objective.indicators.all()
                for t in i.targets.all()
                if t.due_text and not t.due_date
            ]
            assert messages == sorted(expected), objective.title


def test_the_plan_docx_comes_back_whole(demo):
    plan = demo
    with scope(authority=plan.authority):
        draft = read_docx("piano.docx", plan_docx(plan))
        objectives = {o.pk: o for o in plan.objectives.all()}
        from traguardo.reports.scheda import plan_pages

        order = [card.objective.pk for card in plan_pages(plan).rows]
        assert [read_back(s) for s in draft.schede] == [shown(objectives[pk]) for pk in order]


@pytest.fixture
def full_scheda(authority, unit_a, unit_b, unscoped):
    """A multi-year scheda using every part of the card: levels, ambiti, two targets, a scale,
    dates of start and end, text on several lines."""
    policy = ensure_policy(authority)
    plan = PlanFactory(authority=authority, year=2019, title="Piano della performance 2019")
    areas = [
        PerformanceArea.objects.create(authority=authority, number=n, name=f"Ambito {n}")
        for n in (1, 2, 3)
    ]
    objective = ObjectiveFactory(
        plan=plan,
        code="OB-7",
        title="Obiettivo trasparenza",
        year=2020,
        first_year=2019,
        last_year=2021,
        unit=unit_a,
        responsible=unit_a.head,
        expected_result="Prima riga del risultato.\nSeconda riga: Responsabile del sito.",
        notes="Nota uno.\nNota due.",
        strategic_level=policy.levels.get(dimension="strategic", code="alta"),
        complexity_level=policy.levels.get(dimension="complexity", code="media"),
        kind_level=policy.levels.get(dimension="kind", code="sviluppo"),
    )
    objective.involved_units.set([unit_b])
    objective.areas.set([areas[0], areas[2]])
    scale = GradingScaleFactory(authority=authority, name="Ritardo 5/10/15")
    indicator = IndicatorFactory(
        objective=objective,
        position=1,
        weight=Decimal("60"),
        name="Pagine aggiornate",
        formula_text="n° pagine aggiornate / n° pagine",
        grading_text="Proporzionale",
        grading_scale=scale,
    )
    TargetFactory(
        indicator=indicator,
        kind=Target.Kind.INTERMEDIATE,
        year=2020,
        value=Decimal(50),
        value_text="50%",
        due_date=date(2020, 6, 30),
    )
    TargetFactory(indicator=indicator, year=2020, value_text="100%", due_date=date(2020, 12, 1))
    TargetFactory(indicator=indicator, year=2021, value_text="100%", due_date=date(2021, 12, 31))
    IndicatorFactory(objective=objective, position=2, weight=Decimal("40"), name="Sito accessibile")
    ActivityFactory(
        objective=objective,
        position=1,
        weight=Decimal("100"),
        title="Revisione del sito",
        start_date=date(2020, 3, 1),
        end_date=date(2020, 9, 30),
        indicator_text="termine rispettato",
        expected_text="0%",
    )
    return objective


def test_a_scheda_with_every_part_comes_back(full_scheda):
    with scope(authority=full_scheda.authority):
        data = scheda_docx(full_scheda)
        (scheda,) = read_docx("scheda.docx", data).schede
        assert read_back(scheda) == shown(full_scheda)
    assert read_back(scheda)["levels"] == ("Alta", "Media", "Sviluppo")
    assert scheda.area_numbers == [1, 3]
    assert scheda.problems == [] and scheda.import_notes == []
    text = body_text(Document(io.BytesIO(data)))
    assert "ANNI\n2019-2021 (scheda dell'anno 2020)" in text
    assert "☐ ANNUALE ☒ PLURIENNALE" in text
    assert "1° marzo 2020 – 30 settembre 2020" in text
    assert "(Strategicità: Alta (60) + Complessità: Media (30)) × Tipologia: Sviluppo (×1)" in text
    assert "Punteggio: 90,00" in text
    assert "50%\n30 giugno 2020\n100%\n1° dicembre 2020" in text
    assert "mancano" not in text and text.count("100,00% OK") == 2


def test_the_plan_docx_reads_few_queries_whatever_the_number_of_schede(
    authority, unit_a, unscoped, django_assert_max_num_queries
):
    plan = PlanFactory(authority=authority, year=2019)

    def add_scheda():
        objective = ObjectiveFactory(plan=plan, unit=unit_a)
        indicator = IndicatorFactory(objective=objective)
        TargetFactory(indicator=indicator)
        ActivityFactory(objective=objective)

    add_scheda()
    with scope(authority=authority), django_assert_max_num_queries(20) as one:
        plan_docx(Plan.objects.get(pk=plan.pk))
    for _ in range(9):
        add_scheda()
    with scope(authority=authority), django_assert_max_num_queries(len(one)) as many:
        data = plan_docx(Plan.objects.get(pk=plan.pk))
    assert len(many) == len(one)
    assert len(read_docx("piano.docx", data).schede) == 10
