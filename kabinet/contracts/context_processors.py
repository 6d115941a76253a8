from django.utils.functional import SimpleLazyObject


def contracts(request):
    """Whether the header shows «Договоры»: the customer acts for an organisation or an
    ИП (their own or as a colleague). Asked only when a page's header needs it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return {}

    def acts_for_business() -> bool:
        from kabinet.core.utility import get_utility
        from kabinet.identity.models import Party

        if not get_utility().contracts:
            return False
        return Party.objects.acting_for(user).exclude(kind=Party.Kind.PERSON).exists()

    return {"contracts_nav": SimpleLazyObject(acts_for_business)}
