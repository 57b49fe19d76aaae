"""Account recovery: what an admin does for a person of the authority, and "esci ovunque".

- ``send_password_reset``: an e-mail to the person with a one-time link to choose a new
  password (Django's reset token: it expires after ``PASSWORD_RESET_TIMEOUT``, 24 hours, and
  is spent once the password changes). The admin never sees or sets the password.
- ``reset_second_factor``: the person's TOTP devices are removed and their sessions ended; at
  the next login they activate a new device (required again if their role needs it).
- ``unlock_login``: the login lockout's failures of the username are cleared.
- ``end_sessions``: every session of the person ends ("Esci da tutti i dispositivi"), asked
  by the person or by an admin.

Each checks the actor's permission, writes its audit entry in the same transaction, and is
refused when the person is also a member of an authority the actor does not administer (an
admin of one Comune must not weaken an account that works for another).
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from traguardo.accounts.models import Membership, Role, User
from traguardo.audit.log import log_action
from traguardo.core.domain import DomainError, require

MANAGE_ACCESS = "accounts.manage_access"


def _check_target(user: User, *, actor: User, authority) -> None:
    require(actor, MANAGE_ACCESS, authority)
    if user.pk == actor.pk:
        raise DomainError(_("Per il proprio account si usa la pagina «Verifica in due passaggi»."))
    elsewhere = (
        Membership.objects.filter(user=user)
        .exclude(
            authority__in=Membership.objects.filter(user=actor, role=Role.ADMIN).values("authority")
        )
        .exists()
    )
    if elsewhere:
        raise DomainError(
            _(
                "%(user)s lavora anche per un altro ente: chiedere all'amministratore di "
                "Traguardo dell'installazione."
            )
            % {"user": user.get_full_name() or user.get_username()}
        )


def send_password_reset(user: User, *, actor: User, authority, base_url: str) -> None:
    """E-mail the person a one-time link to choose a new password (valid 24 hours)."""
    _check_target(user, actor=actor, authority=authority)
    if not user.email:
        raise DomainError(
            _("%(user)s non ha un indirizzo e-mail: aggiungilo prima di inviare il collegamento.")
            % {"user": user.get_full_name() or user.get_username()}
        )
    link = base_url.rstrip("/") + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "authority": authority,
        "link": link,
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    with transaction.atomic():
        log_action(
            actor=actor,
            action="auth.password_reset_sent",
            obj=user,
            authority=authority,
            after={"username": user.get_username()},
        )
        # Inside the transaction: a message that cannot be sent leaves no entry saying it was.
        send_mail(
            render_to_string("web/account/email/password_reset_subject.txt", context).strip(),
            render_to_string("web/account/email/password_reset_body.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )


def reset_second_factor(user: User, *, actor: User, authority) -> int:
    """Remove the person's TOTP devices and end their sessions; the number of devices."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _check_target(user, actor=actor, authority=authority)
    with transaction.atomic():
        removed, _detail = TOTPDevice.objects.filter(user=user).delete()
        User.objects.filter(pk=user.pk).update(sessions_epoch=F("sessions_epoch") + 1)
        log_action(
            actor=actor,
            action="auth.otp_reset",
            obj=user,
            authority=authority,
            after={"username": user.get_username(), "devices": removed},
        )
    return removed


def unlock_login(user: User, *, actor: User, authority) -> int:
    """Clear the login lockout of the person's username; the number of records removed."""
    from axes.models import AccessAttempt

    _check_target(user, actor=actor, authority=authority)
    with transaction.atomic():
        removed, _detail = AccessAttempt.objects.filter(username=user.get_username()).delete()
        log_action(
            actor=actor,
            action="auth.unlock",
            obj=user,
            authority=authority,
            after={"username": user.get_username()},
        )
    return removed


def end_sessions(user: User, *, actor: User, authority=None) -> None:
    """End every session of ``user``: the person's own wish, or an admin's for a person."""
    if user.pk != actor.pk:
        _check_target(user, actor=actor, authority=authority)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(sessions_epoch=F("sessions_epoch") + 1)
        log_action(
            actor=actor,
            action="auth.sessions_ended",
            obj=user,
            authority=authority if authority is not None else _first_authority(user),
            after={"username": user.get_username()},
        )
    user.refresh_from_db(fields=["sessions_epoch"])


def _first_authority(user: User):
    return (
        Membership.objects.filter(user=user)
        .order_by("pk")
        .values_list("authority_id", flat=True)
        .first()
    )
