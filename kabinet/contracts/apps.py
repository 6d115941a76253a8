from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "kabinet.contracts"
    verbose_name = _("Договоры")

    def ready(self):
        from django.db.models import Q

        from kabinet.appeals.models import Conversation
        from kabinet.contracts.models import Contract

        # The curator chat of a contract is read by whoever sees the contract.
        def contract_rule(user):
            return Q(contract__in=Contract.objects.visible_to(user).values("pk"))

        if not any(getattr(rule, "contracts", False) for rule in Conversation.OWNERS):
            contract_rule.contracts = True
            Conversation.OWNERS.append(contract_rule)
