"""The kinds of application Kabinet knows; a utility's profile (``application_kinds``)
says which it takes in."""

from kabinet.applications.kinds.base import ApplicationKind
from kabinet.applications.kinds.connection import TC_ELECTRIC, TC_HEAT
from kabinet.applications.kinds.requests import CONTRACT, SERVICE

KINDS: dict[str, ApplicationKind] = {k.code: k for k in (TC_ELECTRIC, TC_HEAT, CONTRACT, SERVICE)}


def get_kind(code: str) -> ApplicationKind | None:
    return KINDS.get(code)


def enabled_kinds() -> list[ApplicationKind]:
    """The kinds this utility takes in, in the order above."""
    from kabinet.core.utility import get_utility

    on = get_utility().application_kinds
    return [k for k in KINDS.values() if k.code in on]


def connection_enabled() -> bool:
    """Whether the public connection tools (calculator, status check) are offered."""
    return any(k.group == "connection" for k in enabled_kinds())
