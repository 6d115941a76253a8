"""Production mode refuses to start without its secrets; with them the deploy checks pass.

Each case runs ``manage.py check`` in a subprocess with a minimal environment:
KABINET_TESTING=0 because the settings otherwise notice pytest and relax.
"""

import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(ROOT),
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "KABINET_TESTING": "0",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    from kabinet.core.signing import demo_certificate

    key, cert = demo_certificate("ГУП «ТЭК СПб»")
    (tmp_path / "signing.key").write_bytes(key)
    (tmp_path / "signing.crt").write_bytes(cert)
    return {
        "KABINET_SIGNING_KEY_FILE": str(tmp_path / "signing.key"),
        "KABINET_SIGNING_CERT_FILE": str(tmp_path / "signing.crt"),
        "KABINET_SECRET_KEY": secrets.token_urlsafe(64),
        "KABINET_ALLOWED_HOSTS": "lk.example.ru",
        "KABINET_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "KABINET_VAR_DIR": str(tmp_path / "var"),
        "KABINET_SMS_BACKEND": "kabinet.notifications.sms.SmsRuSender",
        "KABINET_SMS_RU_API_ID": "x",
        "KABINET_PAYMENT_PROVIDER": "yookassa",
        "KABINET_YOOKASSA_SHOP_ID": "123456",
        "KABINET_YOOKASSA_SECRET_KEY": "live_x",
    }


@pytest.mark.parametrize(
    "missing", ["KABINET_SECRET_KEY", "KABINET_ALLOWED_HOSTS", "KABINET_DATABASE_URL"]
)
def test_production_refuses_to_start_without(missing, production_env):
    env = {k: v for k, v in production_env.items() if k != missing}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert (
        f"{missing} is required in production mode (set KABINET_DEBUG=1 for the demo)"
        in result.stderr
    )


def test_production_with_nothing_set_names_the_secret_key_first():
    result = manage("check")
    assert result.returncode != 0
    assert "KABINET_SECRET_KEY is required in production mode" in result.stderr


def test_an_empty_value_counts_as_missing(production_env):
    result = manage("check", **{**production_env, "KABINET_ALLOWED_HOSTS": " , "})
    assert result.returncode != 0
    assert "KABINET_ALLOWED_HOSTS is required in production mode" in result.stderr


def test_production_passes_the_deploy_checks(production_env):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert not (Path(production_env["KABINET_DATABASE_URL"][len("sqlite:///") :])).exists()


def test_production_settings_are_the_secure_ones(production_env):
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.ALLOWED_HOSTS, s.EMAIL_BACKEND, "
        "s.PASSWORD_HASHERS[0].rsplit('.', 1)[1], "
        "'whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE)"
    )
    result = manage("shell", "--no-imports", "-v", "0", "-c", code, **production_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "31536000",
        "['lk.example.ru']",
        "django.core.mail.backends.smtp.EmailBackend",
        "PBKDF2PasswordHasher",
        "True",
    ]


def test_a_utility_that_sends_sms_needs_a_real_gateway(production_env):
    env = {**production_env, "KABINET_UTILITY": "tgk2"}
    del env["KABINET_SMS_BACKEND"]
    result = manage("check", "--deploy", **env)
    assert result.returncode != 0
    assert "kabinet.E001" in result.stderr
    assert "KABINET_SMS_BACKEND is the demo outbox" in result.stderr


@pytest.mark.parametrize("deploy", [False, True], ids=["check", "check --deploy"])
def test_an_unknown_utility_is_refused(production_env, deploy):
    args = ["check", "--deploy"] if deploy else ["check"]
    result = manage(*args, **{**production_env, "KABINET_UTILITY": "unknown"})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    assert "(kabinet.E002) KABINET_UTILITY='unknown' is unknown." in result.stderr
    assert "Choose one of: gk_kazan, gorseti_tomsk, tashkent_heat, tek_spb, tgk2." in result.stderr


def test_demo_mode_needs_no_secrets(tmp_path):
    result = manage("check", KABINET_DEBUG="1", KABINET_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_malformed_boolean_is_refused():
    result = manage("check", KABINET_DEBUG="maybe")
    assert result.returncode != 0
    assert "KABINET_DEBUG must be a boolean, got 'maybe'" in result.stderr


def test_sms_ru_without_its_key_fails_the_deploy_checks(production_env):
    result = manage("check", "--deploy", **{**production_env, "KABINET_SMS_RU_API_ID": ""})
    assert result.returncode != 0
    assert "kabinet.E003" in result.stderr + result.stdout


def test_makemigrations_check_needs_no_production_secrets():
    """Comparing models with migrations reads no secret, so CI and tools can run it bare."""
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_the_test_payment_provider_fails_the_deploy_checks(production_env):
    result = manage("check", "--deploy", **{**production_env, "KABINET_PAYMENT_PROVIDER": "test"})
    assert result.returncode != 0
    assert "kabinet.E005" in result.stderr + result.stdout


def test_yookassa_without_its_keys_fails_the_deploy_checks(production_env):
    result = manage("check", "--deploy", **{**production_env, "KABINET_YOOKASSA_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "kabinet.E006" in result.stderr + result.stdout


def test_signed_documents_need_the_utilitys_key(production_env):
    env = {k: v for k, v in production_env.items() if not k.startswith("KABINET_SIGNING")}
    result = manage("check", "--deploy", **env)
    assert result.returncode != 0
    assert "kabinet.E007" in result.stderr + result.stdout


def test_a_key_that_does_not_match_its_certificate_is_refused(production_env, tmp_path):
    from kabinet.core.signing import demo_certificate

    other_key, _cert = demo_certificate("Другая организация")
    (tmp_path / "other.key").write_bytes(other_key)
    result = manage(
        "check",
        "--deploy",
        **{**production_env, "KABINET_SIGNING_KEY_FILE": str(tmp_path / "other.key")},
    )
    assert result.returncode != 0
    assert "kabinet.E008" in result.stderr + result.stdout
