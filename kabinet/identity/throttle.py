"""Counting events in a sliding window: the one mechanism behind lock-outs and send limits."""

from datetime import timedelta

from django.utils import timezone

from kabinet.identity.models import ThrottleHit


def hits(scope: str, key: str, *, seconds: int) -> int:
    since = timezone.now() - timedelta(seconds=seconds)
    return ThrottleHit.objects.filter(scope=scope, key=key, at__gte=since).count()


def retry_after(scope: str, key: str, *, limit: int, seconds: int) -> int:
    """Seconds until the window holds fewer than ``limit`` hits; 0 when it already does."""
    since = timezone.now() - timedelta(seconds=seconds)
    times = list(
        ThrottleHit.objects.filter(scope=scope, key=key, at__gte=since)
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(times) < limit:
        return 0
    oldest_counted = times[-1]
    return max(
        1, int((oldest_counted + timedelta(seconds=seconds) - timezone.now()).total_seconds())
    )


def hit(scope: str, key: str) -> None:
    ThrottleHit.objects.create(scope=scope, key=key)


def clear(scope: str, key: str) -> None:
    ThrottleHit.objects.filter(scope=scope, key=key).delete()


def prune(*, older_than_days: int = 2) -> int:
    deleted, _ = ThrottleHit.objects.filter(
        at__lt=timezone.now() - timedelta(days=older_than_days)
    ).delete()
    return deleted
