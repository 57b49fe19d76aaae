"""The audit log as people read it: Italian names of actions, objects, fields and values
(a state as its Italian label, a person as their name), and what changed."""

import re

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from traguardo.audit.models import AuditEntry
from traguardo.core.diff import differences

ACTIONS = {
    "objective.create": _("Scheda creata"),
    "objective.update": _("Scheda modificata"),
    "plan.create": _("Piano aperto"),
    "plan.submit": _("Piano proposto"),
    "plan.approve": _("Piano approvato"),
    "plan.start_monitoring": _("Monitoraggio del piano avviato"),
    "plan.close": _("Piano consuntivato"),
    "plan.validate": _("Piano validato"),
    "plan.public_texts_reviewed": _("Testi pubblici del piano rivisti"),
    "variation.open": _("Variazione aperta"),
    "variation.close": _("Variazione chiusa"),
    "comment.add": _("Commento aggiunto"),
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
    "auth.otp_enabled": _("Verifica in due passaggi attivata"),
    "auth.otp_disabled": _("Verifica in due passaggi disattivata"),
    "auth.otp_ok": _("Codice di verifica accettato"),
    "auth.otp_failed": _("Codice di verifica non accettato"),
    "auth.otp_reset": _("Verifica in due passaggi azzerata"),
    "auth.password_reset_sent": _("Link per la nuova password inviato"),
    "auth.password_reset_done": _("Password reimpostata"),
    "auth.unlock": _("Utente sbloccato"),
    "auth.sessions_ended": _("Sessioni chiuse su tutti i dispositivi"),
    # Individual evaluations (evaluation.domain.conversation, evaluation.domain.scheda).
    "evaluation.create": _("Valutazione individuale aperta"),
    "evaluation.save": _("Valutazione individuale salvata"),
    "evaluation.colloquio": _("Colloquio registrato"),
    "evaluation.consegna": _("Valutazione consegnata alla persona valutata"),
    "evaluation.accetta": _("Valutazione accettata dalla persona valutata"),
    "evaluation.revisione": _("Revisione della valutazione richiesta"),
    "evaluation.risposta": _("Risposta alla richiesta di revisione: valutazione definitiva"),
    "evaluation.chiudi": _("Valutazione definitiva: termine per la revisione scaduto"),
    "evaluation.riapri": _("Valutazione riaperta con una revisione"),
    # Individual evaluation: a year's scheme and who is evaluated by whom.
    "scheme.create": _("Sistema di valutazione individuale creato"),
    "scheme.update": _("Sistema di valutazione individuale modificato"),
    "family.create": _("Famiglia di valutazione creata"),
    "family.update": _("Famiglia di valutazione modificata"),
    "family.delete": _("Famiglia di valutazione eliminata"),
    "behaviour.create": _("Comportamento aggiunto al catalogo"),
    "behaviour.update": _("Comportamento modificato"),
    "behaviour.delete": _("Comportamento eliminato"),
    "assignment.create": _("Assegnazione creata"),
    "assignment.update": _("Assegnazione modificata"),
    "assignment.delete": _("Assegnazione eliminata"),
    "assignment.schede_from_plan": _("Schede prese dal piano"),
    "assignment.scheda_add": _("Scheda assegnata"),
    "assignment.scheda_weight": _("Peso della scheda assegnata modificato"),
    "assignment.scheda_remove": _("Scheda tolta dall'assegnazione"),
    # The premiums: a family's fund and the payroll file.
    "fund.create": _("Fondo dei premi indicato"),
    "fund.update": _("Fondo dei premi modificato"),
    "payroll.export": _("File dei premi per gli stipendi scaricato"),
}

# Values logged under names that are not a field of the row's model (or whose field has no
# Italian name of its own).
FIELD_LABELS = {
    "measurement_id": _("Rilevazione"),
    "name": _("Nome del file"),
    "sha256": _("Impronta SHA-256"),
    "objective": _("Scheda"),
    "period": _("Periodo"),
    "indicator": _("Indicatore"),
    "activity": _("Attività"),
    "username": _("Nome utente"),
    "ip": _("Indirizzo IP"),
    "measurement": _("Rilevazione"),
    "plan": _("Piano"),
    "parent": _("Elemento superiore"),
    "user": _("Utente"),
    "authority": _("Ente"),
    "policy": _("SMVP"),
    "version": _("Versione"),
    "variation": _("Variazione"),
    "opened_by": _("Aperta da"),
    "closed_by": _("Chiusa da"),
    "saved_by": _("Salvata da"),
    "entered_by": _("Inserita da"),
    "uploaded_by": _("Caricato da"),
    "stored_name": _("Nome archiviato"),
    "file": _("File"),
    "kind": _("Tipo"),
    "numero": _("Numero"),
    "atto": _("Atto"),
    "variazione": _("Variazione n."),
    "rules": _("Regole dell'SMVP"),
    "texts": _("Testi rivisti"),
    "with_names": _("Con i nomi delle persone"),
    "source": _("Piano di origine"),
    "source_id": _("Numero interno del piano di origine"),
    "copied": _("Schede copiate"),
    "levels": _("Livelli della scala"),
    "bands": _("Fasce di premio"),
    "copied_from": _("Copiato dall'anno"),
    "component_weights": _("Componenti e pesi"),
    "fund_amount": _("Fondo dell'anno (€)"),
    "added": _("Schede aggiunte"),
    "scheda": _("Scheda"),
    "weight": _("Peso dichiarato (%)"),
    "carried": _("Schede pluriennali riportate"),
    "skipped": _("Schede tralasciate"),
    "created": _("Schede create"),
    "replaced": _("Schede sostituite"),
    "unchanged": _("Schede invariate"),
    "kept": _("Schede mantenute"),
    "errors": _("Schede con errori"),
    "devices": _("Dispositivi rimossi"),
    "permission": _("Permesso"),
}
# «Measurement object (2)»: Django's default text of a row without its own.
DEFAULT_REPR = re.compile(r"^\w+ object \((\d+)\)$")


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def object_label(entry: AuditEntry) -> str:
    """The entry's object as written, or «Rilevazione n. 2» for a row without a text."""
    found = DEFAULT_REPR.match(entry.object_repr)
    model = _model(entry.object_type)
    if found and model is not None:
        return _("%(what)s n. %(n)s") % {
            "what": str(model._meta.verbose_name).capitalize(),
            "n": found.group(1),
        }
    return entry.object_repr


def rows(entries) -> list[dict]:
    """What the pages show of each entry; the people named in the values are read at once."""
    entries = list(entries)
    names = _user_names(entries)
    return [
        {
            "entry": entry,
            "action": action_label(entry.action),
            "object": object_label(entry),
            "changes": changes(entry, names),
        }
        for entry in entries
    ]


def changes(entry: AuditEntry, names: dict | None = None) -> list[tuple[str, str, str]]:
    """(label, before, after) of every value that differs; a new row shows all its values."""
    if entry.object_type == "planning.objective":
        # objective_state's labels and values are already the card's
        return differences(_texts(entry.before), _texts(entry.after))
    model = _model(entry.object_type)
    if names is None:
        names = _user_names([entry])
    before = _texts(entry.before, model, names)
    after = _texts(entry.after, model, names)
    return [
        (_field_label(model, label), old, new) for label, old, new in differences(before, after)
    ]


def _model(object_type: str):
    try:
        return apps.get_model(object_type) if object_type else None
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _user_names(entries) -> dict[str, str]:
    """The names of the people a page's values point to (``validated_by`` …), in one query."""
    user_model = get_user_model()
    wanted = set()
    for entry in entries:
        model = _model(entry.object_type)
        for values in (entry.before, entry.after):
            if not isinstance(values, dict):
                continue
            for name, value in values.items():
                field = _field(model, name)
                is_user = getattr(field, "related_model", None) is user_model
                if is_user and value not in (None, ""):
                    wanted.add(str(value))
    if not wanted:
        return {}
    ids = [int(pk) for pk in wanted if str(pk).isdigit()]
    return {
        str(user.pk): user.get_full_name() or user.get_username()
        for user in user_model.objects.filter(pk__in=ids)
    }


def _texts(values, model=None, names=None) -> dict[str, str]:
    if not isinstance(values, dict):
        return {}
    return {key: _text(value, _field(model, key), names or {}) for key, value in values.items()}


def _text(value, field=None, names=None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("sì") if value else _("no"))
    if isinstance(value, dict | list):
        return str(_("registrate")) if value else ""
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and getattr(field, "related_model", None) is get_user_model():
        return (names or {}).get(str(value), str(value))
    return str(value)


def _field_label(model, name: str) -> str:
    field = _field(model, name)
    own = field is not None and str(field.verbose_name) != field.name.replace("_", " ")
    if own:
        return str(field.verbose_name).capitalize()
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    if field is not None:
        return str(field.verbose_name).capitalize()
    return name
