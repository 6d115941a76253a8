from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomerAccountsConfig(AppConfig):
    name = "kabinet.customer_accounts"
    label = "customer_accounts"
    verbose_name = _("Лицевые счета")
