"""JobLock, moved from sharing (SharingLock) in state only: its table stays sharing_sharinglock.

sharing's first migration creates that table on a fresh database, so this one comes after it.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("sharing", "0002_sharinglock_moves_to_statsservice"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="JobLock",
                    fields=[
                        (
                            "name",
                            models.CharField(max_length=200, primary_key=True, serialize=False),
                        ),
                        ("holder", models.CharField(blank=True, max_length=200)),
                        ("acquired_at", models.DateTimeField(blank=True, null=True)),
                        ("expires_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={"db_table": "sharing_sharinglock"},
                ),
            ],
            database_operations=[],
        ),
    ]
