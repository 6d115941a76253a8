"""Shared test fixtures: the users every access test needs, outboxes, the browser."""

import os
import re

import pytest
from hypothesis import settings as hypothesis_settings

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make beside it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "Kabinet-2026"

# No test may fail on time: hypothesis's per-example deadline is off, and its examples
# are derandomised so a run is repeatable.
hypothesis_settings.register_profile("kabinet", deadline=None, derandomize=True)
hypothesis_settings.load_profile("kabinet")


def pytest_addoption(parser):
    parser.addoption("--screenshots", action="store_true", help="write docs/screenshots/")


CELERY_WORKER_WHY = (
    "celery_worker tests deselected: they need a real Celery worker and Redis; run them with "
    "KABINET_CELERY_BROKER_URL=redis://127.0.0.1:6379/15 pytest -p no:xdist -m celery_worker"
)


def _names_celery_worker(markexpr: str) -> bool:
    return re.search(r"\bcelery_worker\b", markexpr or "") is not None


def pytest_collection_modifyitems(config, items):
    """Leave out the tests that need a real worker unless ``-m`` asks for them by name.

    An -m expression that names celery_worker decides alone (pytest's own -m filter).
    """
    if _names_celery_worker(config.option.markexpr):
        return
    deselected = [item for item in items if item.get_closest_marker("celery_worker")]
    if not deselected:
        return
    config.hook.pytest_deselected(items=deselected)
    items[:] = [item for item in items if not item.get_closest_marker("celery_worker")]
    config._kabinet_celery_deselected = len(deselected)


def pytest_report_collectionfinish(config, start_path, items):
    n = getattr(config, "_kabinet_celery_deselected", 0)
    return [f"{CELERY_WORKER_WHY} ({n} deselected)."] if n else []


def pytest_report_header(config):
    # Under xdist the workers collect and deselect; the controller says why up front.
    if getattr(config.option, "numprocesses", None) and not _names_celery_worker(
        config.option.markexpr
    ):
        return [CELERY_WORKER_WHY + "."]
    return []


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
    # The cache (local memory here) outlives a test: each starts with none of it.
    from django.core.cache import cache

    cache.clear()
    yield
    # A request through the test client leaves its language active in this thread
    # (LocaleMiddleware does not reset it): the next test starts in Russian again.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def sms_outbox():
    from kabinet.notifications import sms

    return sms.outbox


def make_user(
    *, email=None, phone=None, login=None, password=PASSWORD, staff=False, role=None, **extra
):
    """A signed-up user; ``staff=True`` makes a member of staff with ``role`` (roles.py),
    the administrator unless told otherwise."""
    from kabinet.backoffice.roles import role_grant
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
    if staff:
        role_grant(user=user, role=role or "admin")
    if not staff:
        Party.objects.create(
            user=user, kind=Party.Kind.PERSON, last_name="Тестов", first_name="Тест"
        )
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
