"""The request as the middleware and `tenant_view` leave it, for the views' annotations.

Nothing here runs: the classes only tell the type checker which attributes a view may read.
`HtmxRequest` is any request after django-htmx's middleware (`request.htmx`); `UserRequest`
one behind `login_required` (a logged-in user); `TenantRequest` a request inside
`tenant_view`: a logged-in user, the authority of the URL and the user's membership of it.
"""

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    # Annotations only: at run time core imports no app (docs/architecture.md).
    from traguardo.accounts.models import Membership, User
    from traguardo.organization.models import Authority


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails


class UserRequest(HtmxRequest):
    user: "User"


class TenantRequest(UserRequest):
    authority: "Authority"
    membership: "Membership"
