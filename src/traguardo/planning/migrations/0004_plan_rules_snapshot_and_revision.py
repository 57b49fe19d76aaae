"""Plans keep the SMVP rules they were scored with; validated results record their revision.

Plans already closed or validated get a snapshot of their authority's current rules: the
closest record there is of the rules they were scored with, and from now on they keep it.
"""

from django.db import migrations, models


def freeze_closed_plans(apps, schema_editor):
    from traguardo.planning.rulebook import snapshot_of

    Plan = apps.get_model("planning", "Plan")
    ScoringPolicy = apps.get_model("organization", "ScoringPolicy")
    PolicyLevel = apps.get_model("organization", "PolicyLevel")
    GradingScale = apps.get_model("organization", "GradingScale")
    closed = Plan._base_manager.filter(state__in=("closed", "validated"), rules_snapshot__isnull=True)
    for plan in closed:
        authority = plan.authority_id
        policy = ScoringPolicy._base_manager.filter(authority_id=authority).first()
        if policy is None:
            continue  # no SMVP yet: the plan follows the defaults until one is written
        plan.rules_snapshot = snapshot_of(
            policy,
            PolicyLevel._base_manager.filter(authority_id=authority),
            GradingScale._base_manager.filter(authority_id=authority),
        )
        plan.save(update_fields=["rules_snapshot"])


class Migration(migrations.Migration):
    dependencies = [
        ("organization", "0001_initial"),
        ("planning", "0003_variation_objectiveversion_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="revised_on",
            field=models.DateField(blank=True, null=True, verbose_name="risultati rivisti il"),
        ),
        migrations.AddField(
            model_name="plan",
            name="revision_number",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="variazione della revisione"
            ),
        ),
        migrations.AddField(
            model_name="plan",
            name="rules_snapshot",
            field=models.JSONField(
                blank=True, null=True, verbose_name="regole dell'SMVP del piano"
            ),
        ),
        migrations.RunPython(freeze_closed_plans, migrations.RunPython.noop),
    ]
