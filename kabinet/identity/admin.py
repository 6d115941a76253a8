from django.contrib import admin

from kabinet.identity.models import Consent, IssuedAccess, Party, SignInEvent, User


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["__str__", "login", "email", "phone", "status", "signup_mode", "is_staff"]
    list_filter = ["status", "signup_mode", "is_staff"]
    search_fields = ["login", "email", "phone", "display_name", "parties__inn"]
    readonly_fields = ["uuid", "password", "last_login", "date_joined", "password_changed_at"]
    exclude = ["totp_secret"]
    inlines = [PartyInline]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["user", "policy_version", "accepted_at", "ip"]
    readonly_fields = [f.name for f in Consent._meta.fields]


@admin.register(IssuedAccess)
class IssuedAccessAdmin(admin.ModelAdmin):
    list_display = ["user", "contract_number", "state", "valid_from", "valid_until", "issued_by"]
    list_filter = ["state"]
    readonly_fields = ["code"]


@admin.register(SignInEvent)
class SignInEventAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "success", "ip", "method"]
    list_filter = ["success"]
