from typing import Any

from django.core.management.base import BaseCommand

from clients.models import Client


class Command(BaseCommand):
    help = "List the local clients whose stats may be shared."

    def handle(self, *args: Any, **options: Any) -> None:
        clients = list(Client.objects.local().shareable().order_by("name"))
        for client in clients:
            self.stdout.write(f"{client.uuid}  {client.name}")
        self.stdout.write(f"{len(clients)} local client(s) share their stats.")
