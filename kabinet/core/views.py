from django.shortcuts import redirect, render
from django.utils import timezone

from kabinet.core.legal import policy_text
from kabinet.core.utility import get_utility


def home_view(request):
    """Главная: the cabinet's start page, with only the parts the user holds."""
    if not request.user.is_authenticated:
        from kabinet.identity.forms import LoginForm

        return render(request, "core/welcome.html", {"form": LoginForm()})
    if request.user.is_staff:
        return redirect("backoffice:dashboard")
    from kabinet.billing.selectors import to_pay_by_account

    accounts = list(
        request.user.personal_accounts.select_related("premises__house__street__settlement")
    )
    balances = to_pay_by_account(accounts=accounts, today=timezone.localdate())
    for account in accounts:
        account.balance_kopecks = balances[account.pk]
    return render(
        request,
        "core/home.html",
        {
            "parties": request.user.parties.all(),
            "accounts": accounts,
            "houses": request.user.followed_houses.exists(),
        },
    )


def personal_data_policy_view(request):
    return render(
        request,
        "core/personal_data_policy.html",
        {"text": policy_text(), "version": get_utility().personal_data_policy_version},
    )
