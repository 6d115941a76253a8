"""Every write about identity: sign-up in each mode, sign-in, recovery, profile changes.

Services that check a one-time code call ``codes.code_check`` first, outside their own
transaction, so that a wrong code's attempt is counted even though the action is refused.

The package by sub-domain: ``signup`` (регистрация by e-mail and by phone), ``access``
(cabinets staff open: issued access, contract-number logins), ``signin`` (вход and
sessions), ``recovery`` (reset codes, the login reminder), ``profile`` (password,
e-mail, phone, TOTP), ``members`` (сотрудники организации: invite, rights, removal),
``tokens`` (токены доступа к API: issue, revoke, check); ``common`` holds what several
of them share. Import from the package: every name below is its public API.
"""

from kabinet.identity.services.access import (
    contract_login_create,
    contract_login_reset,
    issued_access_activate,
    issued_access_create,
    issued_access_expire_due,
    issued_access_reissue,
)
from kabinet.identity.services.common import Client, password_check
from kabinet.identity.services.members import (
    member_invitation,
    member_invite,
    member_join,
    member_remove,
    member_set_rights,
)
from kabinet.identity.services.profile import (
    email_change_confirm,
    email_change_request,
    password_change,
    phone_change_confirm,
    phone_change_request,
    totp_check,
    totp_disable,
    totp_enable,
)
from kabinet.identity.services.recovery import (
    login_reminder_send,
    mask_email,
    mask_phone,
    reset_confirm,
    reset_request,
)
from kabinet.identity.services.signin import (
    SignInRefused,
    session_close,
    session_key_changed,
    sessions_end,
    sign_in_check,
    sign_in_record,
    user_locked_for,
    user_unlock,
)
from kabinet.identity.services.signup import (
    PartyData,
    consent_record,
    signup_email,
    signup_email_confirm,
    signup_email_resend,
    signup_phone,
    signup_phone_confirm,
    signup_phone_resend,
)
from kabinet.identity.services.tokens import (
    api_token_authenticate,
    api_token_issue,
    api_token_revoke,
)

__all__ = [
    # common
    "Client",
    "password_check",
    # signup
    "PartyData",
    "consent_record",
    "signup_email",
    "signup_email_confirm",
    "signup_email_resend",
    "signup_phone",
    "signup_phone_confirm",
    "signup_phone_resend",
    # access
    "contract_login_create",
    "contract_login_reset",
    "issued_access_activate",
    "issued_access_create",
    "issued_access_expire_due",
    "issued_access_reissue",
    # signin
    "SignInRefused",
    "session_close",
    "session_key_changed",
    "sessions_end",
    "sign_in_check",
    "sign_in_record",
    "user_locked_for",
    "user_unlock",
    # recovery
    "login_reminder_send",
    "mask_email",
    "mask_phone",
    "reset_confirm",
    "reset_request",
    # members
    "member_invitation",
    "member_invite",
    "member_join",
    "member_remove",
    "member_set_rights",
    # profile
    "email_change_confirm",
    "email_change_request",
    "password_change",
    "phone_change_confirm",
    "phone_change_request",
    "totp_check",
    "totp_disable",
    "totp_enable",
    # tokens
    "api_token_authenticate",
    "api_token_issue",
    "api_token_revoke",
]
