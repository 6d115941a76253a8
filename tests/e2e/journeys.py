"""Small steps the browser journeys share: open a page, sign in, read a letter or an SMS."""

import re

from django.core import mail

from conftest import PASSWORD
from tests.e2e.conftest import last_code, last_link

__all__ = [
    "PASSWORD",
    "NEW_PASSWORD",
    "go",
    "sign_in",
    "sign_out",
    "field_error",
    "alert",
    "messages",
    "mail_to",
    "mail_link",
    "mail_code",
    "sms_code",
    "last_code",
    "last_link",
    "attempts_left",
    "main_text",
]

NEW_PASSWORD = "Teplo-Set-2027"


def go(page, path: str):
    return page.goto(page.base + path)


def sign_in(page, identifier: str, password: str = PASSWORD, *, remember: bool = False) -> None:
    """Fill the sign-in form on /login/ and press «Войти» (cookies are left as they are)."""
    go(page, "/login/")
    page.locator("[name=identifier]").fill(identifier)
    page.get_by_label("Пароль").fill(password)
    if remember:
        page.get_by_label("Запомнить меня").check()
    page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.get_by_role("button", name="Выйти").click()
    page.wait_for_load_state()


def field_error(page, name: str):
    """The error list Django renders next to the field ``name`` (id_<name>_error)."""
    return page.locator(f"#id_{name}_error")


def alert(page):
    return page.locator(".alert--error")


def messages(page):
    return page.locator(".messages")


def mail_to(address: str):
    """The last letter sent to ``address``."""
    letters = [m for m in mail.outbox if address in m.to]
    assert letters, f"no letter to {address}; sent: {[m.to for m in mail.outbox]}"
    return letters[-1]


def mail_link(address: str) -> str:
    return last_link(mail_to(address).body)


def mail_code(address: str) -> str:
    return last_code(mail_to(address).body)


def sms_code(sms_outbox, phone: str) -> str:
    texts = [m["text"] for m in sms_outbox if m["phone"] == phone]
    assert texts, f"no SMS to {phone}; sent to {[m['phone'] for m in sms_outbox]}"
    return last_code(texts[-1])


def main_text(page) -> str:
    return re.sub(r"\s+", " ", page.locator("main").inner_text())


def attempts_left(text: str) -> int:
    """The number in "Неверный код. Осталось попыток: 4." (or "Осталось 4 попытки.")."""
    m = re.search(r"Неверный код\. Остал\w+ (?:попыт\w*: )?(\d+)", text)
    assert m, text
    return int(m.group(1))
