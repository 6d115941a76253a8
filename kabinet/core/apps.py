from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kabinet.core"
    label = "core"
    verbose_name = _("Kabinet")

    def ready(self):
        from kabinet.core import checks  # noqa: F401
