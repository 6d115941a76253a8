"""A filed application printed as PDF (003 §3.5: «возможность распечатать бумажную форму
бланка заявки»): what it says, and who may print it — the owner and staff; a stranger and
a draft get 404."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from kabinet.applications.services import drafts
from kabinet.applications.tests import factories
from kabinet.contracts.tests.factories import contract, organisation


def url(app):
    return f"/applications/{app.uuid}/print/"


def pdf_text(pdf: bytes) -> str:
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def tomsk(settings, db):
    settings.KABINET_UTILITY = "gorseti_tomsk"


def test_the_owner_prints_the_filed_application(client, tomsk, alice):
    app = factories.filed(alice)
    client.force_login(alice)
    response = client.get(url(app))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="zayavka-{app.number}.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    filed = timezone.localtime(app.filed_at)
    for words in (
        f"Заявка № {app.number}",
        filed.strftime("%d.%m.%Y %H:%M"),
        "Зарегистрирована",
        "Технологическое присоединение к электрическим сетям",
        "Присоединение впервые",
        "Реквизиты и контакты",
        "Петрова",
        "Садовый дом",
        "Технические данные",
        "Максимальная мощность присоединяемых устройств, кВт",
        "Приложенные документы",
        "документ.pdf",
        "План расположения энергопринимающих устройств",
        "Заявитель",
        "подпись",
        "Горсети",
    ):
        assert words in text, words
    assert "новый объект" not in text  # the registry left unpicked is no row
    assert text.count("Присоединение впервые") == 1  # the reason once, among the facts


def test_staff_print_any_application(client, tomsk, alice, staff):
    app = factories.filed(alice)
    client.force_login(staff)
    response = client.get(url(app))
    assert response.status_code == 200
    assert app.number in pdf_text(response.content)


def test_a_stranger_gets_404(client, tomsk, alice, charlie):
    app = factories.filed(alice)
    client.force_login(charlie)
    assert client.get(url(app)).status_code == 404


def test_a_visitor_is_sent_to_sign_in(client, tomsk, alice):
    app = factories.filed(alice)
    response = client.get(url(app))
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_a_draft_is_not_printed(client, tomsk, alice, staff):
    draft = factories.filled_draft(alice)
    client.force_login(alice)
    assert client.get(url(draft)).status_code == 404
    client.force_login(staff)
    assert client.get(url(draft)).status_code == 404


def test_a_service_request_prints_the_contract_and_the_visit(client, settings, db, alice):
    settings.KABINET_UTILITY = "tashkent_heat"
    c = contract(party=organisation(alice), number="0004242")
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    form, app = drafts.service_request_file(
        user=alice,
        data={
            "reason": "meter_inspection",
            "contract": str(c.uuid),
            "unit": "",
            "visit_date": day.isoformat(),
            "visit_time": "12-15",
            "contact_name": "Иванов Иван",
            "contact_phone": "+998 71 000-00-00",
            "comment": "",
        },
    )
    assert app is not None, form.errors
    client.force_login(alice)
    response = client.get(url(app))
    assert response.status_code == 200
    text = pdf_text(response.content)
    for words in (
        f"Заявка № {app.number}",
        "Заявка на услугу по договору",
        "Обследование прибора учёта и снятие контрольных показаний",
        "Договор № 0004242",
        f"Желаемая дата посещения {day:%d.%m.%Y}",
        "Желаемое время посещения 12:00–15:00",
        "Иванов Иван",
        "Документы не приложены.",
    ):
        assert words in text, words
