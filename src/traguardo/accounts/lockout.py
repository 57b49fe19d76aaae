"""The login lockout's counting (django-axes): by username and address, and by username alone.

``AXES_LOCKOUT_PARAMETERS`` lists ``["username", "ip_address"]`` and ``"username"``: the
failures of one username from one address lock that pair after ``AXES_FAILURE_LIMIT``; the
failures of one username from every address lock the username after
``LOCKOUT_USERNAME_LIMIT`` (higher, so that someone who only knows a username needs more
attempts to lock its owner out than a guesser from one address needs to be stopped), so
rotating addresses does not buy more guesses. Axes compares one count with one limit: this
handler scales the username's count to that limit. The first parameter must stay the pair:
a successful login clears the failures of its own address only.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        scaled = []
        for parameter, count in zip(settings.AXES_LOCKOUT_PARAMETERS, counts, strict=True):
            if parameter == "username":
                count = count * settings.AXES_FAILURE_LIMIT // settings.LOCKOUT_USERNAME_LIMIT
            scaled.append(count)
        return max(scaled, default=0)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful login clears the failures from its own address only: failures from
        other addresses keep counting toward the username's lock until they cool off."""
        pair = self.filter_user_attempts(request, credentials)[0]
        count, _ = pair.delete()
        return count
