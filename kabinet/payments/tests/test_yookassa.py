"""ЮKassa against its recorded answers: what is sent (method, URL, auth, Idempotence-Key,
JSON), how each answer maps, every error class, and where notifications may come from.
No network: a scripted session answers, and one test stops at requests' adapter to see
the bytes that would go on the wire."""

import base64
import json
from pathlib import Path
from unittest.mock import patch

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from kabinet.payments.providers import get_provider
from kabinet.payments.providers.base import (
    FiscalReceipt,
    NotificationRejected,
    ProviderError,
    ReceiptItem,
    SavedMethod,
)
from kabinet.payments.providers.yookassa import YooKassaProvider, kopecks, rub

FIXTURES = Path(__file__).parent / "fixtures" / "yookassa"
SHOP_ID = "100500"
SECRET = "live_TESTONLY-not-a-real-key"
PAYMENT_ID = "2e8c6a1d-000f-5000-9000-1c4f6b7d8e21"
KEY = "6f1c1b525a0e4c1e9a551d2b3c4d5e6f"
RETURN_URL = "https://lk.example.ru/payments/6f1c1b52-5a0e-4c1e-9a55-1d2b3c4d5e6f/"
RECEIPT = FiscalReceipt(
    email="ivanova@example.ru",
    items=[
        ReceiptItem(description="Оплата услуг по лицевому счёту 7701234567", amount_kopecks=123456)
    ],
)


def recorded(name: str, *, status: int = 200) -> requests.Response:
    return answer((FIXTURES / name).read_bytes(), status=status)


def answer(body: bytes, *, status: int = 200, content_type="application/json") -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.encoding = "utf-8"
    response.headers["Content-Type"] = content_type
    response.reason = {502: "Bad Gateway"}.get(status, "")
    return response


def fixture_json(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class FakeSession:
    """Stands in for requests.Session: records each request, answers from a script."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls: list[dict] = []

    def request(self, method, url, **kw):
        self.calls.append({"method": method, "url": url, **kw})
        item = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(item, Exception):
            raise item
        return item


def provider_with(*answers, secret=SECRET) -> tuple[YooKassaProvider, FakeSession]:
    session = FakeSession(*answers)
    return YooKassaProvider(shop_id=SHOP_ID, secret_key=secret, session=session), session


def create(provider, **overrides):
    kw = {
        "amount_kopecks": 123456,
        "description": "Оплата по лицевым счетам 7701234567",
        "method": "card",
        "return_url": RETURN_URL,
        "save_method": False,
        "receipt": RECEIPT,
        "idempotency_key": KEY,
        "metadata": {"kabinet_payment": "6f1c1b52-5a0e-4c1e-9a55-1d2b3c4d5e6f"},
    } | overrides
    return provider.create_payment(**kw)


def test_recorded_bodies_are_json_objects():
    names = sorted(p.name for p in FIXTURES.glob("*.json"))
    assert len(names) == 13
    for name in names:
        body = fixture_json(name)
        assert body.get("type") in {"error", "processing", "notification"} or body.get("id"), name


# --- money: kopecks ↔ "x.yz" -----------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [(1, "0.01"), (10, "0.10"), (100, "1.00"), (123456, "1234.56"), (9999999999, "99999999.99")],
)
def test_kopecks_and_roubles_are_exact(amount, text):
    assert rub(amount) == text
    assert kopecks(text) == amount


@given(st.integers(min_value=1, max_value=10**15))
def test_kopecks_round_trip_through_the_api_string(amount):
    text = rub(amount)
    whole, _, fraction = text.partition(".")
    assert whole.isdigit() and len(fraction) == 2 and fraction.isdigit()
    assert kopecks(text) == amount


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "100", None])
def test_only_positive_whole_kopecks_are_sent(bad):
    with pytest.raises(ProviderError) as exc:
        rub(bad)
    assert (exc.value.code, exc.value.retryable) == ("invalid_amount", False)


@pytest.mark.parametrize("bad", ["12.345", "0.001", "NaN", "Infinity", "abc", "", None])
def test_an_answer_that_is_not_whole_kopecks_is_refused(bad):
    with pytest.raises(ProviderError) as exc:
        kopecks(bad)
    assert (exc.value.code, exc.value.retryable) == ("invalid_answer", False)


def test_kopecks_accept_what_json_might_carry():
    assert kopecks("1234.5") == 123450
    assert kopecks("7") == 700


# --- creating a payment ------------------------------------------------------------------


def test_card_payment_posts_the_documented_body():
    provider, session = provider_with(recorded("payment_card_pending.json"))
    create(provider)
    [call] = session.calls
    assert call["method"] == "POST"
    assert call["url"] == "https://api.yookassa.ru/v3/payments"
    assert call["auth"] == (SHOP_ID, SECRET)
    assert call["headers"] == {"Idempotence-Key": KEY}
    assert call["timeout"] == (5, 30)
    assert call["json"] == {
        "amount": {"value": "1234.56", "currency": "RUB"},
        "capture": True,
        "description": "Оплата по лицевым счетам 7701234567",
        "metadata": {"kabinet_payment": "6f1c1b52-5a0e-4c1e-9a55-1d2b3c4d5e6f"},
        "receipt": {
            "customer": {"email": "ivanova@example.ru"},
            "items": [
                {
                    "description": "Оплата услуг по лицевому счёту 7701234567",
                    "quantity": 1,
                    "amount": {"value": "1234.56", "currency": "RUB"},
                    "vat_code": 1,
                    "payment_subject": "service",
                    "payment_mode": "full_payment",
                }
            ],
        },
        "payment_method_data": {"type": "bank_card"},
        "confirmation": {"type": "redirect", "return_url": RETURN_URL},
    }


def test_a_pending_card_payment_maps_to_its_redirect():
    provider, _ = provider_with(recorded("payment_card_pending.json"))
    payment = create(provider)
    assert payment.id == PAYMENT_ID
    assert payment.status == "pending"
    assert payment.amount_kopecks == 123456
    assert payment.paid is False
    assert payment.confirmation_url == (
        "https://yoomoney.ru/checkout/payments/v2/contract?orderId=" + PAYMENT_ID
    )
    assert payment.confirmation_data == ""
    # ЮKassa names the method before the card is entered; there is nothing to show yet.
    assert payment.method is None
    assert payment.cancellation_reason == ""
    assert payment.metadata == {"kabinet_payment": "6f1c1b52-5a0e-4c1e-9a55-1d2b3c4d5e6f"}


def test_saving_the_card_is_asked_only_when_wanted():
    provider, session = provider_with(recorded("payment_card_pending.json"))
    create(provider, save_method=True)
    create(provider, save_method=False)
    assert session.calls[0]["json"]["save_payment_method"] is True
    assert "save_payment_method" not in session.calls[1]["json"]


def test_sbp_payment_asks_for_a_qr_code_and_returns_its_content():
    provider, session = provider_with(recorded("payment_sbp_pending.json"))
    payment = create(provider, method="sbp", amount_kopecks=150000, save_method=True)
    sent = session.calls[0]["json"]
    assert sent["payment_method_data"] == {"type": "sbp"}
    assert sent["confirmation"] == {"type": "qr"}
    assert sent["amount"] == {"value": "1500.00", "currency": "RUB"}
    assert "save_payment_method" not in sent  # the portal saves cards only
    assert payment.status == "pending"
    assert payment.amount_kopecks == 150000
    assert payment.confirmation_url == ""
    assert payment.confirmation_data.startswith(
        "https://qr.nspk.ru/BS1A004P8RGE6VL29S4PJ0CVMPJ0FA7M"
    )
    assert payment.method is None  # SBP is never a saved card


def test_an_unknown_method_is_refused_before_any_request():
    provider, session = provider_with(recorded("payment_card_pending.json"))
    with pytest.raises(ProviderError) as exc:
        create(provider, method="cash")
    assert (exc.value.code, exc.value.retryable) == ("invalid_request", False)
    assert not session.calls


def test_descriptions_are_cut_to_128_characters_and_metadata_sent_as_strings():
    long = "Оплата " + "я" * 200
    receipt = FiscalReceipt(
        email="a@example.ru",
        items=[
            ReceiptItem(description=long, amount_kopecks=100, quantity="1.5", vat_code=6),
            ReceiptItem(
                description="Пени",
                amount_kopecks=1,
                quantity="2",
                payment_subject="another",
                payment_mode="full_prepayment",
            ),
        ],
    )
    provider, session = provider_with(recorded("payment_card_pending.json"))
    create(provider, description=long, receipt=receipt, metadata={"n": 7, "ok": True})
    sent = session.calls[0]["json"]
    assert sent["description"] == long[:128]
    assert len(sent["description"]) == 128
    assert sent["metadata"] == {"n": "7", "ok": "True"}
    first, second = sent["receipt"]["items"]
    assert len(first["description"]) == 128
    assert (first["quantity"], first["vat_code"], first["amount"]["value"]) == (1.5, 6, "1.00")
    assert (second["quantity"], second["amount"]["value"]) == (2, "0.01")
    assert (second["payment_subject"], second["payment_mode"]) == ("another", "full_prepayment")
    # The quantity goes as a JSON number with its exact decimals, never as 1.4999….
    assert '"quantity": 1.5' in json.dumps(sent)


@pytest.mark.parametrize("bad", ["0", "-1", "1.2345", "много", ""])
def test_a_bad_receipt_quantity_is_refused_before_any_request(bad):
    receipt = FiscalReceipt(email="a@example.ru", items=[ReceiptItem("x", 100, quantity=bad)])
    provider, session = provider_with(recorded("payment_card_pending.json"))
    with pytest.raises(ProviderError) as exc:
        create(provider, receipt=receipt)
    assert (exc.value.code, exc.value.retryable) == ("invalid_receipt", False)
    assert not session.calls


@pytest.mark.parametrize("key", ["", "k" * 65])
def test_a_post_without_a_usable_idempotency_key_is_refused(key):
    provider, session = provider_with(recorded("payment_card_pending.json"))
    with pytest.raises(ProviderError) as exc:
        create(provider, idempotency_key=key)
    assert exc.value.retryable is False
    assert not session.calls


def test_the_wire_carries_basic_auth_the_key_and_the_amount_as_a_string():
    """Past the session: what requests would actually send."""
    seen = {}

    def send(adapter, request, **kw):
        seen["request"], seen["kw"] = request, kw
        return recorded("payment_card_pending.json")

    provider = YooKassaProvider(shop_id=SHOP_ID, secret_key=SECRET)
    with patch.object(requests.adapters.HTTPAdapter, "send", send):
        payment = create(provider, save_method=True)
    request = seen["request"]
    token = base64.b64encode(f"{SHOP_ID}:{SECRET}".encode()).decode()
    assert (request.method, request.url) == ("POST", "https://api.yookassa.ru/v3/payments")
    assert request.headers["Authorization"] == f"Basic {token}"
    assert request.headers["Idempotence-Key"] == KEY
    assert request.headers["Content-Type"] == "application/json"
    assert b'"value": "1234.56"' in request.body
    body = json.loads(request.body)
    assert body["save_payment_method"] is True
    assert body["receipt"]["customer"] == {"email": "ivanova@example.ru"}
    assert seen["kw"]["timeout"] == (5, 30)
    assert payment.id == PAYMENT_ID


# --- reading, cancelling, refunding, autopay ---------------------------------------------


def test_get_payment_maps_a_saved_card():
    provider, session = provider_with(recorded("payment_succeeded_saved_card.json"))
    payment = provider.get_payment(PAYMENT_ID)
    [call] = session.calls
    assert (call["method"], call["url"]) == (
        "GET",
        f"https://api.yookassa.ru/v3/payments/{PAYMENT_ID}",
    )
    assert call["json"] is None
    assert "Idempotence-Key" not in call["headers"]
    assert call["auth"] == (SHOP_ID, SECRET)
    assert (payment.status, payment.paid, payment.amount_kopecks) == ("succeeded", True, 123456)
    assert payment.method == SavedMethod(
        id=PAYMENT_ID, title="Visa •••• 4242", card_type="Visa", expiry="12/2028", saved=True
    )


def test_the_payment_id_is_one_path_segment():
    provider, session = provider_with(recorded("payment_succeeded_saved_card.json"))
    provider.get_payment("../refunds?x=1")
    assert session.calls[0]["url"] == "https://api.yookassa.ru/v3/payments/..%2Frefunds%3Fx%3D1"


def test_a_canceled_payment_says_why():
    provider, _ = provider_with(recorded("payment_canceled.json"))
    payment = provider.get_payment("2e8c7d02-000f-5000-8000-1a9b8c7d6e5f")
    assert (payment.status, payment.paid) == ("canceled", False)
    assert payment.amount_kopecks == 1
    assert payment.cancellation_reason == "insufficient_funds"
    assert payment.method.title == "Visa •••• 0002"
    assert payment.method.saved is False


def test_cancel_posts_to_the_payment_with_a_key():
    provider, session = provider_with(recorded("payment_canceled.json"))
    payment = provider.cancel_payment("2e8c7d02-000f-5000-8000-1a9b8c7d6e5f", idempotency_key="c-1")
    [call] = session.calls
    assert (call["method"], call["url"]) == (
        "POST",
        "https://api.yookassa.ru/v3/payments/2e8c7d02-000f-5000-8000-1a9b8c7d6e5f/cancel",
    )
    assert call["headers"] == {"Idempotence-Key": "c-1"}
    assert call["json"] == {}
    assert payment.status == "canceled"


def test_refund_posts_the_payment_and_amount_and_returns_the_refund_id():
    provider, session = provider_with(recorded("refund_succeeded.json"))
    refund_id = provider.refund(PAYMENT_ID, amount_kopecks=123456, idempotency_key="r-1")
    assert refund_id == "2e8d9f31-0015-5000-8000-1b2c3d4e5f60"
    [call] = session.calls
    assert (call["method"], call["url"]) == ("POST", "https://api.yookassa.ru/v3/refunds")
    assert call["headers"] == {"Idempotence-Key": "r-1"}
    assert call["json"] == {
        "payment_id": PAYMENT_ID,
        "amount": {"value": "1234.56", "currency": "RUB"},
    }


def test_a_refund_answer_without_an_id_is_refused():
    provider, _ = provider_with(answer(b'{"status": "succeeded"}'))
    with pytest.raises(ProviderError) as exc:
        provider.refund(PAYMENT_ID, amount_kopecks=100, idempotency_key="r-2")
    assert exc.value.code == "invalid_answer"


def test_autopay_charges_the_saved_method_without_confirmation():
    provider, session = provider_with(recorded("payment_autopay_mir_succeeded.json"))
    payment = provider.charge_saved_method(
        method_id=PAYMENT_ID,
        amount_kopecks=9999999999,
        description="Оплата по лицевым счетам 7701234567",
        receipt=RECEIPT,
        idempotency_key="autopay-a1b2c3d4e5f64a7b8c9d0e1f2a3b4c5d-202612",
        metadata={"kabinet_payment": "d3c2", "autopay": "a1b2"},
    )
    [call] = session.calls
    sent = call["json"]
    assert (call["method"], call["url"]) == ("POST", "https://api.yookassa.ru/v3/payments")
    assert call["headers"] == {"Idempotence-Key": "autopay-a1b2c3d4e5f64a7b8c9d0e1f2a3b4c5d-202612"}
    assert sent["payment_method_id"] == PAYMENT_ID
    assert sent["capture"] is True
    assert sent["amount"] == {"value": "99999999.99", "currency": "RUB"}
    assert sent["receipt"]["items"][0]["amount"] == {"value": "1234.56", "currency": "RUB"}
    for absent in ("confirmation", "payment_method_data", "save_payment_method"):
        assert absent not in sent
    assert payment.amount_kopecks == 9999999999
    assert payment.status == "succeeded"
    assert payment.method == SavedMethod(
        id=PAYMENT_ID, title="МИР •••• 0004", card_type="Mir", expiry="03/2029", saved=True
    )
    assert payment.metadata["autopay"] == "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"


@pytest.mark.parametrize(
    ("card_type", "title"),
    [
        ("MIR", "МИР •••• 1111"),
        ("MasterCard", "MasterCard •••• 1111"),
        ("Unknown", "Карта •••• 1111"),
    ],
)
def test_card_titles(card_type, title):
    body = fixture_json("payment_succeeded_saved_card.json")
    body["payment_method"]["card"].update(card_type=card_type, last4="1111")
    provider, _ = provider_with(answer(json.dumps(body).encode()))
    assert provider.get_payment(PAYMENT_ID).method.title == title


@pytest.mark.parametrize(
    "change",
    [
        lambda b: b["amount"].update(value="1234.567"),
        lambda b: b["amount"].update(currency="USD"),
        lambda b: b.pop("amount"),
        lambda b: b.pop("status"),
    ],
)
def test_an_answer_that_is_not_a_sound_payment_is_refused(change):
    body = fixture_json("payment_succeeded_saved_card.json")
    change(body)
    provider, _ = provider_with(answer(json.dumps(body).encode()))
    with pytest.raises(ProviderError) as exc:
        provider.get_payment(PAYMENT_ID)
    assert (exc.value.code, exc.value.retryable) == ("invalid_answer", False)


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "status", "code", "words"),
    [
        ("error_400_invalid_request.json", 400, "invalid_request", "receipt items"),
        ("error_401_invalid_credentials.json", 401, "invalid_credentials", "Authentication"),
        ("error_404_not_found.json", 404, "not_found", "Incorrect payment_id"),
    ],
)
def test_refusals_are_final(fixture, status, code, words):
    provider, _ = provider_with(recorded(fixture, status=status))
    with pytest.raises(ProviderError) as exc:
        create(provider)
    assert (exc.value.code, exc.value.retryable) == (code, False)
    assert words in str(exc.value)


@pytest.mark.parametrize(
    ("fixture", "status", "code"),
    [
        ("error_429_too_many_requests.json", 429, "too_many_requests"),
        ("error_500_internal_server_error.json", 500, "internal_server_error"),
    ],
)
def test_too_many_requests_and_server_errors_are_retryable(fixture, status, code):
    provider, _ = provider_with(recorded(fixture, status=status))
    with pytest.raises(ProviderError) as exc:
        create(provider)
    assert (exc.value.code, exc.value.retryable) == (code, True)


def test_a_gateway_page_instead_of_json_is_retryable():
    provider, _ = provider_with(
        answer(b"<html>502 Bad Gateway</html>", status=502, content_type="text/html")
    )
    with pytest.raises(ProviderError) as exc:
        provider.get_payment(PAYMENT_ID)
    assert (exc.value.code, exc.value.retryable) == ("http_502", True)
    assert "502" in str(exc.value)


def test_still_processing_is_retryable_with_the_same_key():
    provider, session = provider_with(
        recorded("processing_202.json", status=202), recorded("payment_card_pending.json")
    )
    with pytest.raises(ProviderError) as exc:
        create(provider)
    assert (exc.value.code, exc.value.retryable) == ("processing", True)
    assert "1800 ms" in str(exc.value)
    payment = create(provider)  # the caller's retry: same key, and now the answer
    assert payment.id == PAYMENT_ID
    assert [c["headers"]["Idempotence-Key"] for c in session.calls] == [KEY, KEY]


def test_a_200_that_is_not_json_is_retryable():
    provider, _ = provider_with(answer(b"<html>maintenance</html>", content_type="text/html"))
    with pytest.raises(ProviderError) as exc:
        provider.get_payment(PAYMENT_ID)
    assert (exc.value.code, exc.value.retryable) == ("invalid_answer", True)


@pytest.mark.parametrize(
    "error",
    [
        requests.ConnectTimeout("connect timed out"),
        requests.ReadTimeout("read timed out"),
        requests.ConnectionError("connection refused"),
    ],
)
def test_timeouts_and_connection_errors_are_retryable(error):
    provider, _ = provider_with(error)
    with pytest.raises(ProviderError) as exc:
        create(provider)
    assert (exc.value.code, exc.value.retryable) == ("network", True)
    assert isinstance(exc.value.__cause__, requests.RequestException)


# --- configuration -----------------------------------------------------------------------


def test_settings_configure_the_provider(settings):
    settings.KABINET_YOOKASSA_SHOP_ID = "54321"
    settings.KABINET_YOOKASSA_SECRET_KEY = "test_abc"
    provider = get_provider("yookassa")
    assert isinstance(provider, YooKassaProvider)
    assert (provider.name, provider.shop_id, provider.secret_key) == (
        "yookassa",
        "54321",
        "test_abc",
    )
    assert provider.is_test is True  # a test shop's key: no money moves


def test_a_live_key_is_not_a_test_provider():
    provider, _ = provider_with(recorded("payment_card_pending.json"), secret="live_abc")
    assert provider.is_test is False


def test_without_credentials_nothing_is_sent(settings):
    settings.KABINET_YOOKASSA_SHOP_ID = ""
    settings.KABINET_YOOKASSA_SECRET_KEY = ""
    session = FakeSession(recorded("payment_card_pending.json"))
    provider = YooKassaProvider(session=session)
    with pytest.raises(ProviderError) as exc:
        provider.get_payment(PAYMENT_ID)
    assert (exc.value.code, exc.value.retryable) == ("not_configured", False)
    assert not session.calls


# --- notifications -----------------------------------------------------------------------

NOTIFICATION = (FIXTURES / "notification_payment_succeeded.json").read_bytes()


def parse(body: bytes = NOTIFICATION, remote_addr: str = "185.71.76.10"):
    return YooKassaProvider(shop_id=SHOP_ID, secret_key=SECRET).parse_notification(
        body=body, remote_addr=remote_addr
    )


def test_a_notification_names_its_event_and_object():
    notice = parse()
    assert notice.event == "payment.succeeded"
    assert notice.object_id == PAYMENT_ID
    assert notice.payload == json.loads(NOTIFICATION)


@pytest.mark.parametrize(
    "address",
    [
        "185.71.76.0",
        "185.71.76.31",
        "185.71.77.17",
        "77.75.153.0",
        "77.75.153.127",
        "77.75.154.128",
        "77.75.154.255",
        "77.75.156.11",
        "77.75.156.35",
        "2a02:5180::1",
        "2a02:5180:0:1509::5",
        "2a02:5180:ffff:ffff:ffff:ffff:ffff:ffff",
        "::ffff:185.71.76.5",  # an IPv4 peer seen through a dual-stack socket
        " 185.71.77.1 ",
    ],
)
def test_notifications_from_yookassa_networks_are_read(address):
    assert parse(remote_addr=address).object_id == PAYMENT_ID


@pytest.mark.parametrize(
    "address",
    [
        "185.71.76.32",  # just past 185.71.76.0/27
        "185.71.75.255",
        "77.75.153.128",  # just past 77.75.153.0/25
        "77.75.154.127",  # just before 77.75.154.128/25
        "77.75.156.12",
        "77.75.156.34",
        "8.8.8.8",
        "127.0.0.1",
        "10.0.0.1",
        "2a02:5181::1",
        "2a02:517f:ffff::1",
        "::1",
        "::ffff:8.8.8.8",
    ],
)
def test_notifications_from_elsewhere_are_rejected(address):
    with pytest.raises(NotificationRejected, match="not one of ЮKassa's addresses"):
        parse(remote_addr=address)


@pytest.mark.parametrize("address", ["", "not-an-ip", "185.71.76.1:443", "185.71.76.0/27", None])
def test_a_malformed_sender_address_is_rejected(address):
    with pytest.raises(NotificationRejected, match="not an IP address"):
        parse(remote_addr=address)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe\x00", "not JSON"),
        (b"", "not JSON"),
        (b"[1, 2]", "not a notification"),
        (
            b'{"type": "payment", "event": "payment.succeeded", "object": {"id": "x"}}',
            "not a notification",
        ),
        (b'{"event": "payment.succeeded", "object": {"id": "x"}}', "not a notification"),
        (b'{"type": "notification", "object": {"id": "x"}}', "no event"),
        (b'{"type": "notification", "event": 5, "object": {"id": "x"}}', "no event"),
        (b'{"type": "notification", "event": "payment.succeeded"}', "no object"),
        (b'{"type": "notification", "event": "payment.succeeded", "object": {}}', "no object"),
        (
            b'{"type": "notification", "event": "payment.succeeded", "object": {"id": 7}}',
            "no object",
        ),
    ],
)
def test_bodies_that_are_not_notifications_are_rejected(body, words):
    with pytest.raises(NotificationRejected, match=words):
        parse(body=body)


def test_the_sender_is_checked_before_the_body_is_read():
    with pytest.raises(NotificationRejected, match="addresses"):
        parse(body=b"{not json", remote_addr="8.8.8.8")
