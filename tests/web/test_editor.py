"""The scheda editor: round trip, rows, checks next to their fields, conflicts, permissions."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.factories import PASSWORD, GradingScaleFactory, ObjectiveFactory, PlanFactory
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.planning.models import Objective
from traguardo.planning.versions import objective_state
from traguardo.reports.scheda import scheda_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo, client):
    """The demo plan with the admin logged in (the Dirigente cannot edit the two cards that
    name no unit: fixing those is the admins' job)."""
    assert client.login(username="admin", password=DEMO_PASSWORD)
    return demo


def form_data(response) -> dict[str, list[str]]:
    """What a browser would submit from the editor page as it stands (no JS)."""
    html = response.content.decode()
    form = html[html.index('<form method="post" id="editor-form"') :]
    form = form[: form.index("</form>")]
    data: dict[str, list[str]] = {}
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        name = name.group(1)
        if tag.startswith("<input"):
            kind = re.search(r'type="([^"]+)"', tag)
            kind = kind.group(1) if kind else "text"
            if kind in ("checkbox", "radio") and " checked" not in tag:
                continue
            if kind == "submit":
                continue
            value = re.search(r'value="([^"]*)"', tag)
            default = "on" if kind in ("checkbox", "radio") else ""
            data.setdefault(name, []).append(_unescape(value.group(1)) if value else default)
        elif tag.startswith("<select"):
            block = form[form.index(tag) :]
            block = block[: block.index("</select>")]
            selected = re.findall(r'<option value="([^"]*)"[^>]*selected', block)
            multiple = "multiple" in tag
            data[name] = selected if multiple else (selected[:1] or [""])
        else:
            block = form[form.index(tag) + len(tag) :]
            data[name] = [_unescape(block[: block.index("</textarea>")]).lstrip("\n")]
    return data


def _unescape(text: str) -> str:
    from html import unescape

    return unescape(text)


def card(position: int) -> Objective:
    with scopes_disabled():
        return Objective.objects.get(position=position)


def state(position: int) -> dict:
    with scopes_disabled():
        return objective_state(card(position))


@pytest.mark.parametrize("position", range(1, 12))
def test_saving_a_seed_card_unchanged_changes_nothing_but_the_version(client, demo, position):
    """Every field the editor shows goes back to the database as it was."""
    objective = card(position)
    url = reverse("objective_edit", args=["comune-esempio", objective.pk])
    before = state(position)
    with scopes_disabled():
        targets_before = [
            (t.kind, t.year, t.value, t.value_text, t.due_date, t.due_text)
            for i in objective.indicators.all()
            for t in i.targets.order_by("year", "kind")
        ]
    data = form_data(client.get(url))
    response = client.post(url, {**data, "action": "save"})
    if response.status_code == 400:
        # The card has an error the editor refuses to save (a missing final target): the
        # message names it, and the form keeps every value.
        page = response.content.decode()
        assert "La scheda non è stata salvata." in page
        again = form_data(response)
        assert {k: v for k, v in again.items() if k != "csrfmiddlewaretoken"} == {
            k: v for k, v in data.items() if k != "csrfmiddlewaretoken"
        }
        return
    assert response.status_code == 302, response.content.decode()[:2000]
    assert state(position) == before
    with scopes_disabled():
        objective = card(position)
        assert objective.version == 2
        assert [
            (t.kind, t.year, t.value, t.value_text, t.due_date, t.due_text)
            for i in objective.indicators.all()
            for t in i.targets.order_by("year", "kind")
        ] == targets_before


def new_scheda_data(client, plan_year: int, authority: str = "comune-esempio") -> tuple[str, dict]:
    url = reverse("objective_create", args=[authority, plan_year])
    return url, form_data(client.get(url))


def with_rows(data: dict, prefix: str, rows: list[dict]) -> dict:
    data = {k: v for k, v in data.items() if not k.startswith(f"{prefix}-")}
    data[f"{prefix}-TOTAL_FORMS"] = [str(len(rows))]
    data[f"{prefix}-INITIAL_FORMS"] = ["0"]
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{i}-{name}"] = [value]
    return data


def indicator(weight: str, name: str, **extra) -> dict:
    return {
        "weight": weight,
        "name": name,
        "measure": "deadline",
        "final_date": "2019-12-31",
        "grading_text": "gg ritardo 5 = 90% / gg10 = 80% / gg15 = 60%",
        **extra,
    }


def test_a_new_scheda_with_weights_short_of_100_is_refused_with_the_reason(client, demo):
    url, data = new_scheda_data(client, 2019)
    data = with_rows(
        {**data, "title": ["Nuovo portale dei servizi"], "code": ["12"]},
        "ind",
        [indicator("40", "Primo"), indicator("40", "Secondo"), indicator("10", "Terzo")],
    )
    response = client.post(url, {**data, "action": "save"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Pesi degli indicatori: mancano 10,00%." in page
    assert "Pesi degli indicatori: <strong>mancano 10,00%</strong>" in page
    assert 'value="Terzo"' in page  # nothing typed is lost
    with scopes_disabled():
        assert not Objective.objects.filter(title="Nuovo portale dei servizi").exists()

    data["ind-2-weight"] = ["20"]
    response = client.post(url, {**data, "action": "save"})
    assert response.status_code == 302
    with scopes_disabled():
        created = Objective.objects.get(title="Nuovo portale dei servizi")
        assert created.position == 12
        assert [(i.weight, i.name) for i in created.indicators.all()] == [
            (Decimal("40.00"), "Primo"),
            (Decimal("40.00"), "Secondo"),
            (Decimal("20.00"), "Terzo"),
        ]
        assert {i.grading_scale.definition["kind"] for i in created.indicators.all()} == {
            "delay_steps"
        }
        view = scheda_page(created)
    assert view.indicator_check.label == "100,00% OK"


def test_the_live_check_answers_with_the_totals_as_the_user_types(client, demo):
    _url, data = new_scheda_data(client, 2019)
    data = with_rows(
        data, "ind", [indicator("40", "A"), indicator("40", "B"), indicator("10", "C")]
    )
    data.update(strategic_level=[], complexity_level=[], kind_level=[])
    live = reverse("objective_live", args=["comune-esempio", 2019])
    page = client.post(live, data).content.decode()
    assert 'id="totale-indicatori"' in page and 'hx-swap-oob="true"' in page
    assert "mancano 10,00%" in page
    data["ind-2-weight"] = ["30"]
    assert "eccedenza 10,00%" in client.post(live, data).content.decode()
    data["ind-2-weight"] = ["20"]
    page = client.post(live, data).content.decode()
    assert "100,00% OK" in page
    assert "1–5 gg" in page and "90%" in page  # the typed scale read back as a table


def test_the_punteggio_is_computed_from_the_chosen_levels(client, demo):
    from traguardo.organization.models import PolicyLevel

    with scopes_disabled():
        levels = {
            (level.dimension, level.code): str(level.pk) for level in PolicyLevel.objects.all()
        }
    _url, data = new_scheda_data(client, 2019)
    data.update(
        strategic_level=[levels[("strategic", "alta")]],
        complexity_level=[levels[("complexity", "alta")]],
        kind_level=[levels[("kind", "sviluppo")]],
    )
    page = client.post(reverse("objective_live", args=["comune-esempio", 2019]), data)
    assert "<strong>Punteggio</strong>" not in page.content.decode()
    assert "100,00" in page.content.decode()
    data["kind_level"] = [levels[("kind", "mantenimento")]]
    page = client.post(reverse("objective_live", args=["comune-esempio", 2019]), data)
    assert "50,00" in page.content.decode()


def test_rows_are_added_moved_and_removed_before_saving(client, demo):
    objective = card(5)
    url = reverse("objective_edit", args=["comune-esempio", objective.pk])
    data = form_data(client.get(url))
    names = lambda d: [d[f"ind-{i}-name"][0] for i in range(int(d["ind-TOTAL_FORMS"][0]))]  # noqa: E731
    assert names(data) == [
        "Individuazione ed assegnazione degli spazi per la propaganda elettorale",
        "Revisione straordinaria delle liste elettorali",
        "Trasmissione dati dello scrutinio alla Prefettura e al Ministero tramite Web Services",
    ]
    moved = form_data(client.post(url, {**data, "action": "down-ind-0"}))
    assert names(moved)[:2] == [names(data)[1], names(data)[0]]
    added = form_data(client.post(url, {**moved, "action": "add-ind"}))
    assert names(added) == [*names(moved), ""]
    removed = form_data(client.post(url, {**added, "action": "remove-ind-3"}))
    removed = form_data(client.post(url, {**removed, "action": "remove-ind-2"}))
    assert names(removed) == names(moved)[:2]
    removed["ind-0-weight"] = removed["ind-1-weight"] = ["50"]
    assert client.post(url, {**removed, "action": "save"}).status_code == 302
    with scopes_disabled():
        assert [(i.position, i.name, i.weight) for i in card(5).indicators.all()] == [
            (1, "Revisione straordinaria delle liste elettorali", Decimal("50.00")),
            (
                2,
                "Individuazione ed assegnazione degli spazi per la propaganda elettorale",
                Decimal("50.00"),
            ),
        ]


def test_an_unreadable_scale_is_refused_next_to_its_field(client, demo):
    objective = card(2)
    url = reverse("objective_edit", args=["comune-esempio", objective.pk])
    data = form_data(client.get(url))
    data["ind-1-grading_text"] = ["gg ritardo cinque = novanta"]
    response = client.post(url, {**data, "action": "save"})
    page = response.content.decode()
    assert response.status_code == 400
    field = page[page.index('id="id_ind-1-grading_text"') - 300 :]
    assert 'aria-invalid="true"' in field[:600]
    assert 'id="id_ind-1-grading_text-errore"' in page
    assert 'value="gg ritardo cinque = novanta"' in page


def test_fixing_an_anomaly_makes_it_disappear_from_the_scheda_and_the_plan(client, demo):
    objective = card(11)
    url = reverse("objective_edit", args=["comune-esempio", objective.pk])
    data = form_data(client.get(url))
    data.update(
        {
            "code": ["11"],
            "ind-0-measure": ["ratio"],
            "ind-0-final_value": ["100"],
            "ind-0-grading_text": ["Proporzionale"],
        }
    )
    assert client.post(url, {**data, "action": "save"}).status_code == 302
    with scopes_disabled():
        codes = {a.code for a in scheda_page(card(11)).anomalies}
    assert codes == {"missing_weight_score", "no_areas"}
    plan = client.get(reverse("plan_detail", args=["comune-esempio", 2019])).content.decode()
    assert "Il codice «10» è usato anche dall" not in plan


def test_a_manager_may_only_name_units_they_head(client, demo):
    client.logout()
    assert client.login(username="serrao", password=DEMO_PASSWORD)
    with scopes_disabled():
        from traguardo.organization.models import Authority, OrgUnit

        other = OrgUnit.objects.create(
            authority=Authority.objects.get(slug="comune-esempio"), name="Settore V"
        )
    url = reverse("objective_edit", args=["comune-esempio", card(2).pk])
    data = form_data(client.get(url))
    page = client.get(url).content.decode()
    unit_select = page[page.index('name="unit"') :]
    assert f'value="{other.pk}"' not in unit_select[: unit_select.index("</select>")]
    data["unit"] = [str(other.pk)]
    response = client.post(url, {**data, "action": "save"})
    assert response.status_code == 400
    assert card(2).unit.name == "Settore II"


def test_the_second_of_two_saves_gets_the_conflict_page(client, demo, django_user_model):
    objective = card(3)
    url = reverse("objective_edit", args=["comune-esempio", objective.pk])
    mine = form_data(client.get(url))
    theirs = dict(mine)
    from django.test import Client

    other = Client()
    assert other.login(username="serrao", password=DEMO_PASSWORD)
    theirs = form_data(other.get(url))
    theirs["title"] = ["Elenco degli avvocati del Comune"]
    assert other.post(url, {**theirs, "action": "save"}).status_code == 302

    mine["expected_result"] = ["Un testo che non deve sovrascrivere nulla."]
    response = client.post(url, {**mine, "action": "save"})
    page = response.content.decode()
    assert response.status_code == 409
    assert "un'altra persona l'ha modificata" in page
    assert "Avvio procedura elenchi incarichi legali" in page  # before
    assert "Elenco degli avvocati del Comune" in page  # after
    with scopes_disabled():
        saved = card(3)
    assert saved.title == "Elenco degli avvocati del Comune"
    assert saved.expected_result.startswith("Predisposizione di una nuova procedura")
    assert saved.version == 2


EDIT_EXPECTED = {
    "admin": 200,
    "manager_a": 200,
    "manager_b": 403,
    "contributor": 403,
    "evaluator": 403,
    "viewer": 403,
    "outsider": 404,
    "anonymous": 302,
}
CREATE_EXPECTED = {**EDIT_EXPECTED, "manager_b": 200}


@pytest.fixture
def draft(authority, unit_a):
    with scopes_disabled():
        plan = PlanFactory(authority=authority)
        return ObjectiveFactory(plan=plan, unit=unit_a)


@pytest.mark.parametrize("persona", list(EDIT_EXPECTED))
def test_who_may_open_the_editor(client, personas, draft, persona):
    if personas[persona]:
        assert client.login(username=personas[persona].username, password=PASSWORD)
    slug = draft.authority.slug
    edit = client.get(reverse("objective_edit", args=[slug, draft.pk]))
    create = client.get(reverse("objective_create", args=[slug, draft.plan.year]))
    assert edit.status_code == EDIT_EXPECTED[persona]
    assert create.status_code == CREATE_EXPECTED[persona]


@pytest.mark.parametrize("state", ["submitted", "approved"])
def test_a_manager_edits_only_while_the_plan_is_a_draft(client, manager_a, admin, draft, state):
    with scopes_disabled():
        draft.plan.state = state
        draft.plan.save()
    slug = draft.authority.slug
    assert client.login(username="manager_a", password=PASSWORD)
    assert client.get(reverse("objective_edit", args=[slug, draft.pk])).status_code == 403
    client.logout()
    assert client.login(username="admin", password=PASSWORD)
    expected = 200 if state == "submitted" else 403
    assert client.get(reverse("objective_edit", args=[slug, draft.pk])).status_code == expected


def test_a_post_by_someone_who_may_not_edit_changes_nothing(client, manager_b, draft):
    assert client.login(username="manager_b", password=PASSWORD)
    url = reverse("objective_edit", args=[draft.authority.slug, draft.pk])
    response = client.post(url, {"title": "Presa", "action": "save"})
    assert response.status_code == 403
    with scopes_disabled():
        draft.refresh_from_db()
    assert draft.title != "Presa"


def test_a_scale_of_another_authority_is_refused(client, admin, draft, other_authority):
    with scopes_disabled():
        foreign = GradingScaleFactory(authority=other_authority)
    assert client.login(username="admin", password=PASSWORD)
    url = reverse("objective_edit", args=[draft.authority.slug, draft.pk])
    data = form_data(client.get(url))
    data["ind-0-grading_scale"] = [str(foreign.pk)]
    assert client.post(url, {**data, "action": "save"}).status_code == 400


def test_the_editor_costs_the_same_queries_for_1_and_many_rows(client, demo):
    """Not a list page, but the same discipline: rows must not cost a query each."""
    url = reverse("objective_edit", args=["comune-esempio", card(7).pk])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    url = reverse("objective_edit", args=["comune-esempio", card(2).pk])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(one) == len(many)


def test_each_anomaly_links_to_the_field_to_fix(client, demo):
    page = client.get(reverse("objective_detail", args=["comune-esempio", card(6).pk]))
    html = page.content.decode()
    edit = reverse("objective_edit", args=["comune-esempio", card(6).pk])
    assert f'<a href="{edit}#campo-title">Denominazione mancante.</a>' in html
    assert f'<a href="{edit}#campo-activities-1">Attività 1: mancano i tempi' in html
    editor = client.get(edit).content.decode()
    for anchor in re.findall(re.escape(edit) + r"#([\w-]+)", html):
        assert f'id="{anchor}"' in editor, anchor


def test_readers_see_the_anomalies_without_links(client, demo):
    client.logout()
    assert client.login(username="nucleo", password=DEMO_PASSWORD)
    html = client.get(reverse("objective_detail", args=["comune-esempio", card(6).pk]))
    assert "Denominazione mancante." in html.content.decode()
    assert "/modifica/" not in html.content.decode()


def test_every_anomaly_of_the_seed_can_be_fixed_in_the_editor(client, demo):
    """What a person does, card by card, to clear the seed's warnings and errors."""
    from traguardo.organization.models import OrgUnit, PerformanceArea, Person, PolicyLevel

    with scopes_disabled():
        sector = str(OrgUnit.objects.get(name="Settore II").pk)
        director = str(Person.objects.get(last_name="Serrao").pk)
        area = str(PerformanceArea.objects.get(number=2).pk)
        level = {
            d: str(PolicyLevel.objects.get(dimension=d, code=c).pk)
            for d, c in (("strategic", "media"), ("complexity", "media"), ("kind", "sviluppo"))
        }
    # The 2021 card first: while two cards share code "10" neither may be saved with it.
    for position in [*range(1, 10), 11, 10]:
        url = reverse("objective_edit", args=["comune-esempio", card(position).pk])
        data = form_data(client.get(url))
        data["code"] = data["code"] if data["code"] != [""] else [str(100 + position)]
        if position == 11:
            data["code"] = ["11"]  # the duplicate "10" of the 2021 card
        if data["title"] == [""]:
            data["title"] = ["Comunicazione degli eventi all'Ufficio Stampa"]
        data.update(
            unit=[sector],
            responsible=[director],
            areas=[area],
            strategic_level=[level["strategic"]],
            complexity_level=[level["complexity"]],
            kind_level=[level["kind"]],
        )
        for i in range(int(data["ind-TOTAL_FORMS"][0])):
            if data[f"ind-{i}-final_date"] == [""]:
                data[f"ind-{i}-final_date"] = ["2019-12-31"]
            if data[f"ind-{i}-measure"] == ["ratio"] and data[f"ind-{i}-final_value"] == [""]:
                data[f"ind-{i}-final_value"] = ["100"]
            if data[f"ind-{i}-grading_text"] == [""] and data[f"ind-{i}-grading_scale"] == [""]:
                data[f"ind-{i}-grading_text"] = ["Proporzionale"]
        for i in range(int(data["att-TOTAL_FORMS"][0])):
            if data[f"att-{i}-end_date"] == [""]:
                data[f"att-{i}-end_date"] = ["2019-12-31"]
        response = client.post(url, {**data, "action": "save"})
        alerts = re.findall(r'role="alert"[^>]*>\s*([^<]+)', response.content.decode())
        assert response.status_code == 302, (position, alerts)
    with scopes_disabled():
        from traguardo.reports.scheda import plan_pages

        page = plan_pages(card(1).plan)
    assert {row.objective.position: row.anomalies for row in page.rows} == {
        n: [] for n in range(1, 12)
    }
    plan_html = client.get(reverse("plan_detail", args=["comune-esempio", 2019])).content.decode()
    assert len(re.findall(r">\s*Nessuna\s*<", plan_html)) == 11


def test_a_repeated_code_names_the_other_scheda_and_blocks_only_whoever_types_it(client, demo):
    """Cards 10 and 11 of the seed both arrived with code «10»."""
    ten, eleven = card(10), card(11)
    other = f"10 «{eleven.title}»"
    link = reverse("objective_detail", args=["comune-esempio", eleven.pk])

    # The 2020 card's other fields can be saved: its code is the one it came with.
    url = reverse("objective_edit", args=["comune-esempio", ten.pk])
    editor = client.get(url)
    page = editor.content.decode()
    assert f'<a href="{link}">{other}</a>' in page[page.index('id="stesso-codice"') :]
    data = form_data(editor)
    data["notes"] = ["Da concordare con il DPO."]
    data.update({"ind-0-measure": ["ratio"], "ind-0-final_value": ["100"]})  # its other error
    saved = client.post(url, {**data, "action": "save"})
    alerts = re.findall(r'role="alert"[^>]*>\s*([^<]+)', saved.content.decode())
    assert saved.status_code == 302, alerts
    assert card(10).notes == "Da concordare con il DPO."
    # The card still says what is wrong, naming the other scheda; the plan still cannot pass.
    with scopes_disabled():
        messages = [a.message for a in scheda_page(card(10)).anomalies]
    assert f"Il codice «10» è usato anche dalla scheda {other}." in messages

    # Typing a code another scheda has is refused, naming both schede that have it.
    url = reverse("objective_edit", args=["comune-esempio", card(3).pk])
    data = form_data(client.get(url))
    data["code"] = ["10"]
    response = client.post(url, {**data, "action": "save"})
    assert response.status_code == 400
    page = response.content.decode()
    assert f"Il codice «10» è usato anche dalle schede 10 «{ten.title}», {other}." in page
    assert f'<a href="{link}">{other}</a>' in page[page.index('id="stesso-codice"') :]
    assert card(3).code == "3"


def _options(page: str, name: str) -> list[str]:
    from html import unescape

    block = page[page.index(f'<select name="{name}"') :]
    block = block[: block.index("</select>")]
    return [unescape(label) for label in re.findall(r"<option[^>]*>([^<]*)</option>", block)]


def test_the_editor_lists_the_units_as_the_search_does(client, demo):
    """A tree in hierarchy order, each unit with its path."""
    plan = client.get(reverse("plan_detail", args=["comune-esempio", 2019])).content.decode()
    editor = client.get(reverse("objective_edit", args=["comune-esempio", card(2).pk]))
    units = _options(editor.content.decode(), "unit")[1:]
    assert units == _options(plan, "unit")[1:]
    assert any(" › " in unit for unit in units)  # a unit under another names its parent


def test_the_measure_button_and_the_authority_scales_say_what_they_are(client, demo):
    """The refresh button said nothing of what it does; «Graduazione
    dell'ente» offered nothing, and did not say why."""
    page = client.get(reverse("objective_edit", args=["comune-esempio", card(2).pk]))
    page = page.content.decode()
    assert "Mostra i campi della misura scelta" in page
    assert 'aria-describedby="misura-aiuto-1"' in page
    hint = page[page.index('id="misura-aiuto-1"') :]
    assert "La scheda non viene salvata." in hint[: hint.index("</small>")]
    scales = _options(page, "ind-0-grading_scale")
    assert scales[0] == "nessuna: vale quella scritta accanto"
    assert "Proporzionale" in scales  # the seed's scales are offered


def test_an_authority_without_scales_is_told_where_to_make_one(client, admin, draft):
    from tests.factories import IndicatorFactory

    with scopes_disabled():
        IndicatorFactory(objective=draft)
    assert client.login(username=admin.username, password=PASSWORD)
    page = client.get(reverse("objective_edit", args=[draft.authority.slug, draft.pk]))
    page = page.content.decode()
    assert _options(page, "ind-0-grading_scale") == ["nessuna graduazione definita dall'ente"]
    help_id = "id_ind-0-grading_scale-aiuto"
    assert f'aria-describedby="{help_id}"' in page
    assert "L&#x27;ente non ha ancora graduazioni predefinite" in page[page.index(help_id) :]
