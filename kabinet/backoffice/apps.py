from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "kabinet.backoffice"
    label = "backoffice"
    verbose_name = "Рабочее место сотрудника"
