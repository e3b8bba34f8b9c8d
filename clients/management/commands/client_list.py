from typing import Any

from django.core.management.base import BaseCommand

from clients.models import Client


class Command(BaseCommand):
    help = "List API clients (tokens are never shown: only their hashes are stored)."

    def handle(self, *args: Any, **options: Any) -> None:
        clients = list(Client.objects.order_by("name"))
        for c in clients:
            position = f"{c.latitude},{c.longitude}" if c.latitude is not None else "-"
            self.stdout.write(
                f"{c.uuid}  {c.name:<30}  role={c.role:<5}  "
                f"sharing={'on' if c.is_sharing_enabled else 'off':<3}  "
                f"{'local' if c.local else 'remote'}  "
                f"{'active' if c.is_active else 'inactive'}  position={position}  "
                f"last_seen={c.last_seen.isoformat() if c.last_seen else '-'}"
            )
        self.stdout.write(f"{len(clients)} client(s).")
