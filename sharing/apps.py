from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = "Sharing between instances"

    def ready(self) -> None:
        from sharing import checks  # noqa: F401 - registers the system check
