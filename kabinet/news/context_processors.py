def news(request):
    """How many published news items the customer has not read (the marker on «Новости»).

    One query; nothing for anonymous visitors and staff."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return {}
    from kabinet.news.models import News

    return {"news_unread": News.objects.unread_by(user).count()}
