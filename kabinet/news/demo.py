"""The demo's news: two items, the older one already read by the resident."""

from datetime import datetime, timedelta

from django.utils import timezone


def build_demo_news(*, resident, now: datetime | None = None) -> None:
    from kabinet.news.models import News
    from kabinet.news.services import news_notify_due, news_publish, news_read

    if News.objects.exists():
        return
    now = now or timezone.now()
    older = news_publish(
        title="Оплата без комиссии через личный кабинет",
        text=(
            "Оплатить услуги по лицевому счёту можно в разделе «Оплата» картой МИР, "
            "MasterCard, Visa или через СБП. Комиссия не взимается.\n\n"
            "Кассовый чек придёт на e-mail, указанный при оплате."
        ),
        published_at=now - timedelta(days=20),
    )
    news_publish(
        title="Изменение тарифов на тепловую энергию с 1 июля",
        text=(
            "С 1 июля изменяются тарифы на тепловую энергию и горячую воду в соответствии "
            "с распоряжением Комитета по тарифам.\n\n"
            "Действующие и архивные тарифы — в разделе «Тарифы»."
        ),
        published_at=now - timedelta(days=1),
    )
    news_notify_due(now=now)
    news_read(user=resident, news=older)
