from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kabinet.core"
    label = "core"
    verbose_name = _("Kabinet")

    def ready(self):
        from django.db.backends.signals import connection_created

        from kabinet.core import checks  # noqa: F401
        from kabinet.core.sqlite import install

        connection_created.connect(install, dispatch_uid="kabinet_sqlite_like")
