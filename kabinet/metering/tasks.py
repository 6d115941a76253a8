"""Thin Celery tasks over metering services."""

from celery import shared_task

from kabinet.metering import services


@shared_task(name="metering.readings_window_remind")
def readings_window_remind() -> int:
    return services.readings_window_remind()


@shared_task(name="metering.intervals_ensure_partitions")
def intervals_ensure_partitions() -> int:
    """Monthly: the interval table's partitions three months ahead (PostgreSQL only)."""
    from kabinet.metering.services.intervals import intervals_ensure_partitions as ensure

    return len(ensure(ahead=3))
