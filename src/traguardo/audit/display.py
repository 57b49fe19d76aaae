"""The audit log as people read it: Italian names of actions and fields, and what changed."""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from traguardo.audit.models import AuditEntry
from traguardo.planning.versions import differences

ACTIONS = {
    "objective.create": _("Scheda creata"),
    "objective.update": _("Scheda modificata"),
    "plan.create": _("Piano aperto"),
    "plan.copy": _("Piano aperto come copia"),
    "plan.reopen_validation": _("Validazione riaperta da una variazione"),
    "plan.rules_refresh": _("Regole attuali dell'SMVP applicate al piano"),
    "period.create": _("Periodo programmato"),
    "period.open": _("Periodo aperto"),
    "period.reopen": _("Periodo riaperto"),
    "period.close": _("Periodo chiuso"),
    "measurement.record": _("Rilevazione registrata"),
    "measurement.update": _("Rilevazione corretta"),
    "evidence.add": _("Allegato aggiunto"),
    "unit.create": _("Unità organizzativa creata"),
    "unit.update": _("Unità organizzativa modificata"),
    "unit.delete": _("Unità organizzativa eliminata"),
    "person.create": _("Persona creata"),
    "person.update": _("Persona modificata"),
    "person.delete": _("Persona eliminata"),
    "dup_goal.create": _("Obiettivo DUP creato"),
    "dup_goal.update": _("Obiettivo DUP modificato"),
    "dup_goal.delete": _("Obiettivo DUP eliminato"),
    "area.create": _("Ambito creato"),
    "area.update": _("Ambito modificato"),
    "area.delete": _("Ambito eliminato"),
    "policy.update": _("SMVP modificato"),
    "level.create": _("Livello SMVP creato"),
    "level.update": _("Livello SMVP modificato"),
    "level.delete": _("Livello SMVP eliminato"),
    "scale.create": _("Graduazione creata"),
    "scale.update": _("Graduazione modificata"),
    "scale.delete": _("Graduazione eliminata"),
    "seed.load": _("Dati dimostrativi caricati"),
    "import.apply": _("Schede importate"),
    "calendar_token.create": _("Link del calendario creato"),
    "calendar_token.revoke": _("Link del calendario revocato"),
    "auth.login": _("Accesso"),
    "auth.login_failed": _("Accesso non riuscito"),
    "auth.permission_denied": _("Operazione non consentita"),
}


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def changes(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """(label, before, after) of every value that differs; a new row shows all its values."""
    before, after = _texts(entry.before), _texts(entry.after)
    rows = differences(before, after)
    if entry.object_type == "planning.objective":
        return rows  # objective_state's labels are already the card's
    return [(_field_label(entry.object_type, label), old, new) for label, old, new in rows]


def _texts(values) -> dict[str, str]:
    if not isinstance(values, dict):
        return {}
    return {key: _text(value) for key, value in values.items()}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("sì") if value else _("no"))
    return str(value)


def _field_label(object_type: str, name: str) -> str:
    try:
        model = apps.get_model(object_type)
        return str(model._meta.get_field(name).verbose_name).capitalize()
    except (LookupError, ValueError, FieldDoesNotExist):
        return name
