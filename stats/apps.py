from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "Statistics"

    def ready(self) -> None:
        from clients import dependents
        from stats import services

        # A client's records go before its row, through the writer of derived data: Django's
        # cascade would leave the client's share in the all-client totals.
        dependents.register(
            name="stats",
            count=services.client_record_count,
            remove=services.remove_client_records,
        )
