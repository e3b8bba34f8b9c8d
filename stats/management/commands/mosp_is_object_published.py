import json
import uuid
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stats.mosp import MospError, find_object


class Command(BaseCommand):
    help = "Tell whether an object (e.g. a threat or vulnerability uuid) is published on MOSP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--uuid", required=True, help="the object's uuid")
        # Django owns -v (verbosity): `--verbose` or `-v 2` print the object, as the original's -v.
        parser.add_argument("--verbose", action="store_true", help="print the object(s)")
        parser.add_argument(
            "--timeout", type=float, default=None, help="seconds to wait for MOSP's answer"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            object_uuid = uuid.UUID(options["uuid"])
        except ValueError:
            raise CommandError(f"{options['uuid']!r} is not a valid UUID.") from None
        if options["timeout"] is not None and options["timeout"] <= 0:
            raise CommandError("--timeout must be positive.")
        try:
            answer = find_object(object_uuid, timeout=options["timeout"])
        except MospError as exc:
            raise CommandError(str(exc)) from None
        if options["verbose"] or options["verbosity"] >= 2:
            for item in answer.objects:
                self.stdout.write(json.dumps(item, ensure_ascii=False, indent=2))
        verdict = "published" if answer.published else "not published"
        self.stdout.write(f"{object_uuid} is {verdict} on {settings.MOSP_URL}.")
