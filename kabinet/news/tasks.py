from celery import shared_task


@shared_task
def notify_due() -> int:
    """Notify customers of the news items whose publication time has come (idempotent)."""
    from kabinet.news.services import news_notify_due

    return news_notify_due()
