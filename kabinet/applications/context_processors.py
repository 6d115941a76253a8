from django.utils.functional import SimpleLazyObject


def applications(request):
    """Whether the header shows «Заявки» and the footer the public connection tools.
    Asked only when a page needs it."""

    def kinds():
        from kabinet.applications.kinds import enabled_kinds

        return enabled_kinds()

    def nav() -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        on = kinds()
        if user.is_staff or any(not k.direct for k in on):
            return bool(on)
        if not on:
            return False
        from kabinet.contracts.models import Contract

        return Contract.objects.visible_to(user).exists()

    def public() -> bool:
        return any(k.group == "connection" for k in kinds())

    return {
        "applications_nav": SimpleLazyObject(nav),
        "connection_tools": SimpleLazyObject(public),
    }
