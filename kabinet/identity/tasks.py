from celery import shared_task

from kabinet.identity import services, throttle


@shared_task(name="identity.expire_issued_access")
def expire_issued_access() -> int:
    return services.issued_access_expire_due()


@shared_task(name="identity.prune_throttle")
def prune_throttle() -> int:
    return throttle.prune()
