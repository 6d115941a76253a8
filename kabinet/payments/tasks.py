"""Thin Celery tasks over payment services (beat: every 10 minutes, every morning)."""

from celery import shared_task

from kabinet.payments import services


@shared_task(name="payments.reconcile")
def reconcile() -> int:
    return services.payments_reconcile()


@shared_task(name="payments.autopays")
def autopays() -> int:
    return services.autopays_run()
