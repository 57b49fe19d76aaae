"""Writing the demo seed's rows again (the ``demo`` fixture of tests/conftest.py)."""

from django.core.management.color import no_style
from django.db import connections, transaction
from django_scopes import scopes_disabled

from traguardo.planning.models import Plan


def write_seed(seed_rows) -> Plan:
    """Insert the rows read by ``_seed_rows`` as they were (``raw``: no ``auto_now``, same ids,
    same audit hashes), move PostgreSQL's sequences past their ids (as ``loaddata`` does) and
    return the plan."""
    plan_pk, rows = seed_rows
    connection = connections["default"]
    with transaction.atomic(), scopes_disabled():  # foreign keys are checked at the end
        for model, objs in rows:
            fields = model._meta.concrete_fields
            size = connection.ops.bulk_batch_size(fields, objs) or len(objs)
            for start in range(0, len(objs), size):
                model._base_manager._insert(objs[start : start + size], fields=fields, raw=True)
        resets = connection.ops.sequence_reset_sql(no_style(), [model for model, _objs in rows])
        with connection.cursor() as cursor:
            for sql in resets:
                cursor.execute(sql)
        return Plan.objects.select_related("authority").get(pk=plan_pk)
