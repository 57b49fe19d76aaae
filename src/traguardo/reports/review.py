"""The "Revisione dei testi pubblici" of a plan: every free text that its public pages, open
data and public Relazione show, with the names the redactor would replace highlighted.

The redactor (``reports.redact``) already replaces every name it recognises; this review is
where the controllo di gestione sees what it caught (and what it over-caught: "Bianco" the
colour when someone is called Bianco) before the results go public, and edits the source
text where a name slipped through in a spelling nobody foresaw. Confirming the review is an
audited action.
"""

from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from traguardo.accounts.models import User
from traguardo.audit.log import log_action
from traguardo.audit.models import AuditEntry
from traguardo.core.domain import require
from traguardo.monitoring.models import Measurement
from traguardo.planning.models import Plan
from traguardo.reports.redact import Redactor, public_texts
from traguardo.reports.scheda import plan_pages

REVIEW = "reports.review_public_texts"
REVIEWED = "plan.public_texts_reviewed"


@dataclass(frozen=True)
class ReviewText:
    where: str  # Italian: which scheda, which field
    pieces: tuple[tuple[str, bool], ...]  # the text, split: (piece, is a candidate name)
    url: str  # the back-office page where it is written

    @property
    def has_names(self) -> bool:
        return any(is_name for _piece, is_name in self.pieces)


def _pieces(redactor: Redactor, text: str) -> tuple[tuple[str, bool], ...]:
    pieces, at = [], 0
    for match in redactor.matches(text):
        if match.start > at:
            pieces.append((text[at : match.start], False))
        pieces.append((text[match.start : match.end], True))
        at = match.end
    if at < len(text):
        pieces.append((text[at:], False))
    return tuple(pieces)


def review_texts(plan: Plan) -> list[ReviewText]:
    """Every non-empty public text of ``plan``, in the order of the plan's pages."""
    redactor = Redactor.for_authority(plan.authority)
    slug = plan.authority.slug
    texts: list[ReviewText] = []

    def add(where: str, text: str, link: tuple[str, dict]) -> None:
        if text and text.strip():
            texts.append(
                ReviewText(where, _pieces(redactor, text), reverse(link[0], kwargs=link[1]))
            )

    page = plan_pages(plan)
    seen = set()
    for scheda in page.rows:
        o = scheda.objective
        card_name = _("Scheda %(code)s «%(title)s»") % {
            "code": o.code or o.position,
            "title": o.title,
        }
        link = ("objective_detail", {"authority": slug, "pk": o.pk})
        for row, field, label in public_texts(scheda):
            if (id(row), field) not in seen:
                seen.add((id(row), field))
                add(f"{card_name} › {label}", getattr(row, field) or "", link)
    measurements = (
        Measurement.objects.filter(period__plan=plan)
        .select_related("indicator__objective", "activity__objective", "period")
        .order_by("period__reference_date", "pk")
    )
    for m in measurements:
        subject = m.subject
        objective = subject.objective
        link = ("measurements", {"authority": slug, "pk": objective.pk})
        where = _("Scheda %(code)s, %(period)s, rilevazione di «%(subject)s»") % {
            "code": objective.code or objective.position,
            "period": m.period.name,
            "subject": subject,
        }
        add(f"{where} › {_('motivazione')}", m.comment, link)
        add(f"{where} › {_('motivo del «non valutabile»')}", m.not_assessable_reason, link)
        add(f"{where} › {_('motivo del risultato forzato')}", m.forced_reason, link)
    for variation in plan.variations.order_by("number"):
        add(
            _("Variazione n. %(n)s › motivazione") % {"n": variation.number},
            variation.reason,
            ("variation_list", {"authority": slug, "year": plan.year}),
        )
    add(
        _("Validazione del Nucleo › verbale"),
        plan.validation_minutes,
        ("plan_detail", {"authority": slug, "year": plan.year}),
    )
    return texts


def last_review(plan: Plan) -> AuditEntry | None:
    return (
        AuditEntry.objects.filter(
            action=REVIEWED, object_type="planning.plan", object_id=str(plan.pk)
        )
        .order_by("-id")
        .first()
    )


def confirm_review(plan: Plan, *, actor: User, texts: int, with_names: int) -> AuditEntry:
    """The admin confirms having reviewed the public texts as they are now."""
    require(actor, REVIEW, plan)
    with transaction.atomic():
        return log_action(
            actor=actor,
            action=REVIEWED,
            obj=plan,
            after={"texts": texts, "with_names": with_names},
        )
