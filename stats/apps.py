from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "Statistics"

    def ready(self) -> None:
        from clients import dependents
        from stats import derived, services
        from stats.models import records

        # Deleting records or analyses, by queryset or instance, goes through the one writer of
        # derived data, which imports the models: so the models are handed it here.
        records.route_deletes_to(derived.remove_records)

        # A client's records go before its row, through the writer of derived data: Django's
        # cascade would leave the client's share in the all-client totals.
        dependents.register(
            name="stats",
            count=services.client_record_count,
            remove=services.remove_client_records,
        )
