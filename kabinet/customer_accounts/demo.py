"""Demo: the resident asked staff to link one more account (000 §2.3.1), so the
operator's queue «Заявки на привязку» is not empty."""

from kabinet.core.errors import DomainError
from kabinet.customer_accounts import services
from kabinet.customer_accounts.models import AccountLinkRequest, PersonalAccount

# The demo account the resident asks staff for (the fourth of demo_homes; free).
REQUEST_ACCOUNT = "100000004"


def build_demo_link_requests(*, resident) -> AccountLinkRequest | None:
    account = PersonalAccount.objects.filter(number=REQUEST_ACCOUNT, owner=None).first()
    if account is None:
        return None
    try:
        return services.account_link_request_create(
            user=resident,
            number=account.number,
            address=account.premises.address,
            holder_name=f"{account.holder_last_name} {account.holder_first_name} "
            f"{account.holder_middle_name}".strip(),
            phone=resident.phone or "+79110000001",
            details="Квартира моей мамы; кода на квитанции нет.",
        )
    except DomainError:  # a profile whose account numbers differ: no demo request
        return None
