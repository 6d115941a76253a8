def appeals(request):
    """How many of the customer's appeals have an unread answer (the menu's «Обращения»):
    one query for a customer, none for a visitor or staff."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return {}
    from kabinet.appeals.selectors import unread_count

    return {"appeals_unread": unread_count(user)}
