"""Shared test fixtures: the users every access test needs, outboxes, the browser."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make beside it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "Kabinet-2026"


def pytest_addoption(parser):
    parser.addoption("--screenshots", action="store_true", help="write docs/screenshots/")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.KABINET_SMS_BACKEND = "kabinet.notifications.sms.OutboxSmsSender"
    settings.KABINET_SMS_OUTBOX_DIR = ""
    settings.KABINET_SIGNUP_MODES = ["email", "phone", "issued", "contract"]
    settings.KABINET_PUBLIC_URL = "http://testserver"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from kabinet.notifications import sms

    sms.outbox.clear()
    yield


@pytest.fixture
def sms_outbox():
    from kabinet.notifications import sms

    return sms.outbox


def make_user(*, email=None, phone=None, login=None, password=PASSWORD, staff=False, **extra):
    from kabinet.identity.models import Party, User

    user = User(
        email=email,
        phone=phone,
        login=login,
        email_verified=bool(email),
        phone_verified=bool(phone),
        status=User.Status.ACTIVE,
        is_staff=staff,
        signup_mode=User.SignupMode.STAFF if staff else User.SignupMode.EMAIL,
        display_name=extra.pop("display_name", ""),
        **extra,
    )
    user.set_password(password)
    user.save()
    if not staff:
        Party.objects.create(user=user, kind=Party.Kind.PERSON, last_name="Тестов", first_name="Тест")
    return user


@pytest.fixture
def alice(db):
    """The owner in access tests."""
    return make_user(email="alice@example.ru", phone="+79110000011", display_name="Алиса")


@pytest.fixture
def charlie(db):
    """The stranger in access tests: another customer."""
    return make_user(email="charlie@example.ru", phone="+79110000033", display_name="Чарли")


@pytest.fixture
def staff(db):
    return make_user(login="operator1", staff=True, display_name="Оператор")
