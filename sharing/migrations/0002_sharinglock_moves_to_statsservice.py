"""SharingLock leaves sharing's state: statsservice.JobLock takes over its table, unchanged."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SharingLock")],
            database_operations=[],
        ),
    ]
