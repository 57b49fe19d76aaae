from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_calendartoken_reminderlog")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="sessions_epoch",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
    ]
