from django.apps import AppConfig


class StatsServiceConfig(AppConfig):
    """The project package as an app, for what every app may use: the job lock table."""

    name = "statsservice"
    label = "statsservice"
    verbose_name = "Stats Service"
