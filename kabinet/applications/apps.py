from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "kabinet.applications"
    verbose_name = _("Заявки")

    def ready(self):
        from django.db.models import Q

        from kabinet.appeals.models import Conversation

        # The conversation of an application is read by its applicant (and staff).
        def application_rule(user):
            from kabinet.applications.models import Application

            return Q(application__in=Application.objects.visible_to(user).values("pk"))

        if not any(getattr(rule, "applications", False) for rule in Conversation.OWNERS):
            application_rule.applications = True
            Conversation.OWNERS.append(application_rule)
