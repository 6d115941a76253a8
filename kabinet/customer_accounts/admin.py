from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from kabinet.customer_accounts import services
from kabinet.customer_accounts.models import AccountLinkEvent, AccountLinkRequest, PersonalAccount


@admin.register(PersonalAccount)
class PersonalAccountAdmin(admin.ModelAdmin):
    list_display = ["number", "holder_masked", "premises", "owner", "linked_at"]
    search_fields = ["number", "holder_last_name", "owner__email", "owner__phone"]
    list_select_related = ["premises__house__street__settlement", "owner"]
    raw_id_fields = ["premises", "owner"]
    readonly_fields = ["activation_code_hash", "activation_code_valid_until", "linked_at"]
    actions = ["issue_activation_code"]

    @admin.action(description=_("Выпустить код активации для квитанции"))
    def issue_activation_code(self, request, queryset):
        for account in queryset:
            code = services.activation_code_issue(account=account)
            self.message_user(
                request,
                _("Лицевой счёт %(n)s: код активации %(code)s (действует три месяца).")
                % {"n": account.number, "code": code},
                messages.SUCCESS,
            )


@admin.register(AccountLinkEvent)
class AccountLinkEventAdmin(admin.ModelAdmin):
    list_display = ["at", "account", "user", "action", "proof"]
    list_select_related = ["account", "user"]
    search_fields = ["account__number"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(AccountLinkRequest)
class AccountLinkRequestAdmin(admin.ModelAdmin):
    """Read only: requests are decided in the back office (/staff/accounts/requests/), so
    the journal and the customer's notice are never skipped."""

    list_display = ["number", "user", "status", "created_at", "due", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["user", "decided_by"]
    search_fields = ["number", "user__email", "user__phone"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
