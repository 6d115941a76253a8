"""The utility this deployment serves, read from its profile and the settings."""

import dataclasses

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from kabinet.core.utility_profiles import PROFILES, UtilityProfile


def get_utility() -> UtilityProfile:
    """The profile named by KABINET_UTILITY, with the overrides the settings allow."""
    try:
        profile = PROFILES[settings.KABINET_UTILITY]
    except KeyError as exc:
        raise ImproperlyConfigured(
            f"KABINET_UTILITY={settings.KABINET_UTILITY!r} is not one of {sorted(PROFILES)}"
        ) from exc
    if settings.KABINET_SIGNUP_MODES:
        # Turning a sign-up mode on also turns on the identifiers and recovery it needs.
        modes = frozenset(settings.KABINET_SIGNUP_MODES)
        unknown = modes - set(MODE_NEEDS)
        if unknown:
            raise ImproperlyConfigured(f"KABINET_SIGNUP_MODES: unknown modes {sorted(unknown)}")
        logins = set(profile.login_methods)
        recovery = set(profile.recovery_methods)
        for mode in modes:
            logins |= MODE_NEEDS[mode][0]
            recovery |= MODE_NEEDS[mode][1]
        profile = dataclasses.replace(
            profile,
            signup_modes=modes,
            login_methods=frozenset(logins),
            recovery_methods=frozenset(recovery),
        )
    kinds = getattr(settings, "KABINET_APPLICATION_KINDS", None)
    if kinds is not None:
        from kabinet.applications.kinds import KINDS

        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ImproperlyConfigured(
                f"KABINET_APPLICATION_KINDS: unknown kinds {sorted(unknown)}"
            )
        profile = dataclasses.replace(profile, application_kinds=frozenset(kinds))
    return profile


# sign-up mode -> (login methods, recovery methods) it needs
MODE_NEEDS = {
    "email": ({"email"}, {"email_code"}),
    "phone": ({"phone"}, {"sms_code"}),
    "issued": ({"login", "inn", "email"}, {"email_code", "inn", "forgot_login"}),
    "contract": ({"contract", "inn"}, set()),
}
