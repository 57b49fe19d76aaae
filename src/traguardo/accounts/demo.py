"""The demo accounts `make run` creates and prints."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_scopes import scope

from traguardo.accounts.models import Membership, Role, User
from traguardo.accounts.validators import DEMO_PASSWORDS
from traguardo.organization.models import Authority, OrgUnit, Person

DEMO_PASSWORD = next(iter(DEMO_PASSWORDS))
# The demo plan's authority: imports.seed creates it (load_seed), create_demo_users finds it.
DEMO_AUTHORITY = {
    "slug": "comune-esempio",
    "name": "Comune di Esempio",
    "ipa_code": "c_esempio",
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    role: Role
    description: str


DEMO_ACCOUNTS = (
    DemoAccount("admin", "Anna", "Rossi", Role.ADMIN, "Controllo di gestione"),
    DemoAccount("serrao", "Giancarlo", "Serrao", Role.MANAGER, "Dirigente del Settore II"),
    DemoAccount("nucleo", "Marco", "Bianchi", Role.EVALUATOR, "Nucleo di valutazione"),
    DemoAccount("referente", "Laura", "Verdi", Role.CONTRIBUTOR, "Referente dell'Ufficio Turismo"),
    # Sees only her own individual evaluation (the demo year's, delivered: imports.demo_evaluation).
    DemoAccount("dipendente", "Elena", "Ferri", Role.EMPLOYEE, "Dipendente dell'Ufficio Cultura"),
)
# The unit a demo contributor records for (if the authority has it: the seed's structure).
CONTRIBUTOR_UNIT = "Ufficio Turismo"


class DemoRefused(Exception):
    pass


def create_demo_accounts(authority: Authority) -> tuple[DemoAccount, ...]:
    """Create (or reset) the demo logins of ``authority``; refused in production."""
    if settings.PRODUCTION:
        raise DemoRefused("Gli account dimostrativi non si creano in produzione.")
    with transaction.atomic(), scope(authority=authority):
        for account in DEMO_ACCOUNTS:
            user, _c = User.objects.get_or_create(
                username=account.username,
                defaults={"first_name": account.first_name, "last_name": account.last_name},
            )
            if not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            person = Person.objects.filter(
                first_name=account.first_name, last_name=account.last_name
            ).first()
            membership, _c = Membership.objects.get_or_create(
                user=user, authority=authority, defaults={"role": account.role, "person": person}
            )
            if account.role == Role.MANAGER and person is not None:
                membership.units.set(OrgUnit.objects.filter(head=person))
            if account.role == Role.CONTRIBUTOR:
                membership.units.set(OrgUnit.objects.filter(name=CONTRIBUTOR_UNIT))
    return DEMO_ACCOUNTS


def link_demo_people(authority: Authority) -> None:
    """Link each demo login of ``authority`` still without a person to the person of the same
    name, once the demo has created it (the evaluated and the evaluators of the demo year)."""
    with scope(authority=authority):
        for account in DEMO_ACCOUNTS:
            person = Person.objects.filter(
                first_name=account.first_name, last_name=account.last_name
            ).first()
            if person is not None:
                Membership.objects.filter(
                    user__username=account.username, authority=authority, person__isnull=True
                ).update(person=person)
