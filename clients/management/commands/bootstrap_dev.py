import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from clients import services
from clients.models import Client


class Command(BaseCommand):
    help = (
        "First-run set-up: create an admin API client and a Django superuser when none exist, "
        "printing their credentials once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        created = []
        if not Client.objects.filter(role=Client.Role.ADMIN).exists():
            # An administrative caller, not a MONARC instance: it has no stats to share.
            client, token = services.create_client(
                name="admin", role=Client.Role.ADMIN, is_sharing_enabled=False
            )
            self.stdout.write(f"Admin API client {client.uuid}, X-API-KEY: {token}")
            created.append("admin API client")
        user_model = get_user_model()
        if not user_model.objects.filter(is_superuser=True).exists():
            password = secrets.token_urlsafe(12)
            user_model.objects.create_superuser("admin", "", password)
            self.stdout.write(f"Django superuser for /admin/: admin / {password}")
            self.stdout.write(
                "  (forgot it? .venv/bin/python manage.py changepassword admin sets another)"
            )
            created.append("superuser")
        if created:
            self.stdout.write(f"Created {' and '.join(created)}; the secrets are not shown again.")
        else:
            self.stdout.write("An admin API client and a superuser already exist; nothing created.")
