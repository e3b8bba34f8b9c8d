from django.core.management.base import BaseCommand

from clients import services
from clients.management.commands._base import client_by_uuid


class Command(BaseCommand):
    help = "Remove a client's position from the public map."

    def add_arguments(self, parser):
        parser.add_argument("--uuid", required=True)

    def handle(self, *args, **options):
        client = client_by_uuid(options["uuid"])
        services.set_coordinates(client=client, latitude=None, longitude=None)
        self.stdout.write(f"Position of {client.name!r} removed.")
