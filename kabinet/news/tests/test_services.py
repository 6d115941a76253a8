def test_news_dated_ahead_are_seen_only_by_staff_who_write_news(db):
    from datetime import timedelta

    from django.utils import timezone

    from conftest import make_user
    from kabinet.news.models import News
    from kabinet.news.services import news_publish

    ahead = news_publish(
        title="Плановые работы", text="Завтра", published_at=timezone.now() + timedelta(days=2)
    )
    writer = make_user(login="news-op", staff=True, role="operator")
    engineer = make_user(login="news-eng", staff=True, role="engineer")
    assert ahead in News.objects.visible_to(writer)
    assert ahead not in News.objects.visible_to(engineer)
