"""Thin Celery tasks over metering services."""

from celery import shared_task

from kabinet.metering import services


@shared_task(name="metering.readings_window_remind")
def readings_window_remind() -> int:
    return services.readings_window_remind()


@shared_task(name="metering.consumption_alerts")
def consumption_alerts() -> dict:
    from kabinet.metering.services.alerts import alerts_run

    return alerts_run()
