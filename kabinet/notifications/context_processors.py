def notices(request):
    """How many of the customer's notices are unread (the bell in the header)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return {}
    from kabinet.notifications.models import Notice

    return {"notices_unread": Notice.objects.filter(user=user, read_at=None).count()}
