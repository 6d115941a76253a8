"""Thin Celery tasks over billing services: each is idempotent and safe to retry."""

from celery import shared_task

from kabinet.billing import services
from kabinet.billing.models import ReceiptMailing


@shared_task(bind=True, max_retries=5)
def mail_receipt(self, *, mailing_id: int) -> None:
    try:
        services.receipt_mail(mailing_id=mailing_id)
    except ReceiptMailing.DoesNotExist:
        return  # the document was deleted since: nothing to send, nothing to retry
    except Exception as exc:
        # The failure is already recorded on the mailing for staff; try again later.
        if self.request.is_eager:
            return
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc


@shared_task
def execute_billing_run(*, run_id: int) -> None:
    services.billing_run_execute(run_id=run_id)
