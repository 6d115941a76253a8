from celery import shared_task
from django.core.mail import EmailMultiAlternatives

from kabinet.notifications.sms import SmsError, get_sms_sender


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(*, to: str, subject: str, text: str, html: str) -> None:
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


@shared_task(bind=True, max_retries=5)
def send_sms(self, *, phone: str, text: str, idempotency_key: str) -> str:
    try:
        result = get_sms_sender().send(phone=phone, text=text, idempotency_key=idempotency_key)
    except SmsError as exc:
        if exc.retryable:
            raise self.retry(exc=exc, countdown=30) from exc
        raise
    return result.message_id
