"""The reminder e-mails: who gets which deadlines, and running the command more than once."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.factories import (
    ActivityFactory,
    IndicatorFactory,
    MeasurementFactory,
    MembershipFactory,
    MonitoringPeriodFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    PersonFactory,
    PlanFactory,
    TargetFactory,
    UserFactory,
)
from tests.reminders.conftest import SERRAO
from traguardo.accounts.models import ReminderLog, Role, User
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.monitoring.reminders import build_reminders, deadlines_for_user
from traguardo.planning.models import Indicator, Plan

pytestmark = pytest.mark.django_db

TODAY = date(2019, 9, 25)

BODY = """\
Gentile Giancarlo Serrao,

ecco le scadenze degli obiettivi che La riguardano, aggiornate al 25 settembre 2019.

SCADENZE SUPERATE (3)

- 30 aprile 2019, in ritardo di 148 giorni
  Scheda: 5 – Elezioni Europee 2019
  Indicatore: Individuazione ed assegnazione degli spazi per la propaganda elettorale

- 30 aprile 2019, in ritardo di 148 giorni
  Scheda: 5 – Elezioni Europee 2019
  Indicatore: Revisione straordinaria delle liste elettorali

- 31 maggio 2019, in ritardo di 117 giorni
  Scheda: 5 – Elezioni Europee 2019
  Indicatore: Trasmissione dati dello scrutinio alla Prefettura e al Ministero tramite Web Services

IN SCADENZA FINO AL 9 OTTOBRE 2019 (1)

- 30 settembre 2019
  Scheda: 2 – Piattaforma e-procurement SINTEL
  Indicatore: Prima procedura di gara SINTEL

Una scadenza risulta rispettata quando nella rilevazione del periodo di monitoraggio in corso \
è indicata la data di completamento, o quando l'indicatore ha un risultato o una decisione \
(non valutabile, risultato forzato). I ritardi sono contati a oggi finché il periodo è aperto \
e la sua data non è passata; altrimenti il testo indica la data a cui sono contati.

--\x20
Traguardo, gestione del ciclo della performance.
Riceve questo messaggio perché è responsabile di obiettivi del piano o delle unità \
organizzative a cui sono assegnati.
"""


def send(*options: str, day: str = "2019-09-25") -> str:
    out = StringIO()
    call_command("send_reminders", "--date", day, "--days", "14", *options, stdout=out)
    return out.getvalue().strip()


def complete(plan: Plan, indicator_name: str, on: date) -> None:
    """Open a monitoring period and record the indicator as completed ``on``."""
    with scopes_disabled():
        period = MonitoringPeriodFactory(
            plan=plan,
            name="Verifica intermedia al 30/09/2019",
            kind=MonitoringPeriod.Kind.INTERMEDIATE,
            reference_date=date(2019, 9, 30),
        )
        MeasurementFactory(
            period=period, indicator=Indicator.objects.get(name=indicator_name), completed_on=on
        )


# -- the demo plan -----------------------------------------------------------------------------


def test_serrao_is_reminded_of_the_overdue_and_of_sintel(demo, mailoutbox):
    output = send()

    assert output == "Promemoria inviati: 1, già inviati oggi: 0, senza scadenze: 1"
    [message] = mailoutbox
    assert message.to == [SERRAO]
    assert message.subject == "Traguardo: promemoria delle scadenze al 25 settembre 2019"
    assert message.body == BODY


def test_the_user_with_no_deadlines_gets_nothing(demo, mailoutbox):
    send()
    assert [m.to for m in mailoutbox] == [[SERRAO]]  # not rossi@, the admin with no schede


def test_the_scheda_without_unit_or_responsible_reminds_nobody(demo, mailoutbox):
    """Its activity is due on 30 September too, but it is nobody's."""
    send()
    assert "Verifica corso di validità di locazioni" not in mailoutbox[0].body


def test_running_twice_the_same_day_sends_nothing_the_second_time(demo, mailoutbox):
    send()
    output = send()

    assert output == "Promemoria inviati: 0, già inviati oggi: 1, senza scadenze: 1"
    assert len(mailoutbox) == 1
    assert ReminderLog.objects.count() == 1


def test_the_next_day_is_a_new_reminder(demo, mailoutbox):
    send()
    send(day="2019-09-26")

    assert len(mailoutbox) == 2
    assert "30 aprile 2019, in ritardo di 149 giorni" in mailoutbox[1].body


def test_a_completed_deadline_leaves_the_digest_and_the_changed_digest_is_sent(demo, mailoutbox):
    send()
    with scopes_disabled():
        plan = Plan.objects.get()
    complete(plan, "Prima procedura di gara SINTEL", date(2019, 9, 20))

    assert send() == "Promemoria inviati: 1, già inviati oggi: 0, senza scadenze: 1"
    assert send() == "Promemoria inviati: 0, già inviati oggi: 1, senza scadenze: 1"
    assert len(mailoutbox) == 2
    body = mailoutbox[1].body
    assert "SINTEL" not in body
    assert "IN SCADENZA" not in body
    assert "SCADENZE SUPERATE (3)" in body


def test_a_completion_recorded_for_a_later_day_does_not_count_yet(demo, mailoutbox):
    with scopes_disabled():
        plan = Plan.objects.get()
    complete(plan, "Prima procedura di gara SINTEL", date(2019, 9, 28))

    send()

    assert "Prima procedura di gara SINTEL" in mailoutbox[0].body


def test_dry_run_sends_and_records_nothing(demo, mailoutbox):
    output = send("--dry-run")

    assert output.splitlines() == [
        f"{SERRAO}: 3 superate, 1 in arrivo",
        "Prova, nessun messaggio inviato. Promemoria da inviare: 1, già inviati oggi: 0, "
        "senza scadenze: 1",
    ]
    assert mailoutbox == []
    assert ReminderLog.objects.count() == 0
    send()
    assert len(mailoutbox) == 1


def test_dry_run_at_verbosity_2_prints_the_message(demo, mailoutbox):
    assert BODY in send("--dry-run", "--verbosity", "2")


def test_the_links_point_to_the_schede_when_the_site_address_is_known(demo, mailoutbox, settings):
    settings.BASE_URL = "https://performance.comune-esempio.it/"
    with scopes_disabled():
        sintel = Indicator.objects.get(name="Prima procedura di gara SINTEL").objective
    send()
    path = reverse("objective_detail", kwargs={"authority": demo.slug, "pk": sintel.pk})
    assert (
        "  Indicatore: Prima procedura di gara SINTEL\n"
        f"  https://performance.comune-esempio.it{path}\n"
    ) in mailoutbox[0].body


def test_the_person_s_address_serves_when_the_user_has_none(demo, mailoutbox):
    User.objects.filter(username="serrao").update(email="")
    send()
    assert mailoutbox[0].to == ["g.serrao@comune-esempio.it"]


def test_an_inactive_user_gets_nothing(demo, mailoutbox):
    User.objects.filter(username="serrao").update(is_active=False)
    assert send() == "Promemoria inviati: 0, già inviati oggi: 0, senza scadenze: 1"
    assert mailoutbox == []


def test_a_closed_plan_reminds_nobody(demo, mailoutbox):
    with scopes_disabled():
        Plan.objects.update(state=Plan.State.CLOSED)
    assert send() == "Promemoria inviati: 0, già inviati oggi: 0, senza scadenze: 2"


@pytest.mark.parametrize("value", ["25/09/2019", "2019-02-30"])
def test_a_wrong_date_is_refused_in_italian(demo, value):
    with pytest.raises(CommandError, match="Data non valida"):
        send(day=value)


# -- who gets what ---------------------------------------------------------------------------


@pytest.fixture
def schede(authority, unit_a, unit_b):
    """One scheda per unit, one in an office below unit A, one of a named responsible."""
    with scopes_disabled():
        plan = PlanFactory(authority=authority, year=2019, state=Plan.State.MONITORING)
        office = OrgUnitFactory(authority=authority, name="Ufficio A1", parent=unit_a)
        responsible = PersonFactory(authority=authority, first_name="Rita", last_name="Rossi")
        cards = {
            "a": ObjectiveFactory(plan=plan, unit=unit_a),
            "a1": ObjectiveFactory(plan=plan, unit=office),
            "b": ObjectiveFactory(plan=plan, unit=unit_b),
            "rita": ObjectiveFactory(plan=plan, unit=None, responsible=responsible),
        }
        for objective in cards.values():
            TargetFactory(indicator=IndicatorFactory(objective=objective))
            ActivityFactory(objective=objective, end_date=date(2019, 10, 1))
    return cards, responsible


def _cards(user, authority) -> set[str]:
    return {d.objective.title for d in deadlines_for_user(user, authority, TODAY)}


def test_who_gets_which_deadlines(authority, schede, personas):
    cards, responsible = schede
    with scopes_disabled():
        rita = UserFactory(username="rita")
        MembershipFactory(user=rita, authority=authority, role=Role.VIEWER, person=responsible)
    title = {key: objective.title for key, objective in cards.items()}

    assert _cards(personas["manager_a"], authority) == {title["a"], title["a1"]}
    assert _cards(personas["contributor"], authority) == {title["a"], title["a1"]}
    assert _cards(personas["manager_b"], authority) == {title["b"]}
    assert _cards(rita, authority) == {title["rita"]}
    assert _cards(personas["admin"], authority) == set()
    assert _cards(personas["outsider"], authority) == set()


def test_a_viewer_with_units_is_not_reminded_of_them(authority, schede, unit_a):
    with scopes_disabled():
        viewer = UserFactory(username="giunta")
        MembershipFactory(user=viewer, authority=authority, role=Role.VIEWER).units.set([unit_a])
    assert _cards(viewer, authority) == set()


def test_each_deadline_comes_once_with_its_date(authority, schede, manager_b):
    found = deadlines_for_user(manager_b, authority, TODAY)
    assert [(d.kind, d.due_on) for d in found] == [
        ("activity", date(2019, 10, 1)),
        ("indicator", date(2019, 12, 31)),
    ]


def _member_of_unit_a(n: int, authority, unit_a) -> None:
    with scopes_disabled():
        user = UserFactory(username=f"capo{n}", email=f"capo{n}@example.org")
        membership = MembershipFactory(user=user, authority=authority, role=Role.MANAGER)
        membership.units.set([unit_a])


def test_the_plans_are_read_once_whatever_the_number_of_users(authority, schede, unit_a):
    """Only the member's own units are read per member (2 queries), not the plans."""
    _member_of_unit_a(1, authority, unit_a)
    with CaptureQueriesContext(connection) as one:
        assert len(build_reminders(TODAY, 14)[0]) == 1
    _member_of_unit_a(2, authority, unit_a)
    _member_of_unit_a(3, authority, unit_a)
    with CaptureQueriesContext(connection) as three:
        assert len(build_reminders(TODAY, 14)[0]) == 3
    assert len(three) - len(one) == 2 * 2
