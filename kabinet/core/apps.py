from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kabinet.core"
    label = "core"
    verbose_name = "Kabinet"

    def ready(self):
        from kabinet.core import checks  # noqa: F401
