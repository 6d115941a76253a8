"""The pages of the requests to link an account: the resident's form and list, the
operator's queue and request page, the staff link and unlink endpoints."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from kabinet.core.money import working_days_after
from kabinet.customer_accounts import services
from kabinet.customer_accounts.models import AccountLinkRequest
from kabinet.customer_accounts.tests.factories import account

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NEW = "/accounts/requests/new/"
QUEUE = "/staff/accounts/requests/"


@pytest.fixture
def operator(db):
    return make_user(login="operator-1", staff=True, role="operator", display_name="Петрова")


@pytest.fixture
def acc():
    return account(number="100000001")


def file_request(user, number="100000001", today=None, **extra):
    return services.account_link_request_create(
        user=user,
        number=number,
        address="Санкт-Петербург, Садовая улица, д. 5, кв. 12",
        holder_name="Иванов Иван Иванович",
        phone="+79110000011",
        today=today,
        **extra,
    )


# --- the resident -----------------------------------------------------------------------


def test_the_add_page_offers_the_request(client, alice):
    client.force_login(alice)
    page = client.get("/accounts/add/").content.decode()
    assert f'href="{NEW}"' in page and "Отправить заявку на привязку" in page


def test_bad_input_is_explained_next_to_its_field_and_kept(client, alice):
    client.force_login(alice)
    response = client.post(
        NEW,
        {"number": "12345", "address": "", "holder_name": "Иванова А. С.", "phone": "12"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["number"] == ["Номер лицевого счёта состоит из 9 цифр."]
    assert form.errors["address"] == ["Обязательное поле."]
    assert form.errors["phone"] == ["Введите номер телефона в формате +7 900 000-00-00."]
    page = response.content.decode()
    assert 'value="12345"' in page and 'value="Иванова А. С."' in page
    assert "Проверьте поля, отмеченные ниже." in page
    assert not AccountLinkRequest.objects.exists()


def test_a_second_request_for_the_number_is_refused_at_the_field(client, alice, acc):
    file_request(alice)
    client.force_login(alice)
    response = client.post(
        NEW,
        {
            "number": "100000001",
            "address": "Садовая, 5, кв. 12",
            "holder_name": "Иванов И. И.",
            "phone": "+7 911 000-00-11",
        },
    )
    assert response.context["form"].errors["number"] == [
        "Заявка на привязку этого лицевого счёта уже подана и рассматривается."
    ]
    assert AccountLinkRequest.objects.count() == 1


def test_file_a_request_and_see_it_in_the_list(client, alice, acc, uploads_dir):
    client.force_login(alice)
    page = client.get(NEW).content.decode()
    assert "Номер лицевого счёта" in page and "Адрес помещения" in page
    assert 'value="+79110000011"' in page  # the cabinet's phone, to change if needed
    response = client.post(
        NEW,
        {
            "number": "100 000 001",
            "address": "Садовая, 5, кв. 12",
            "holder_name": "Иванов Иван Иванович",
            "phone": "8 (911) 000-00-11",
            "document": SimpleUploadedFile("квитанция.pdf", PDF),
        },
    )
    assert response.status_code == 302 and response.url == "/accounts/?all=1"
    row = AccountLinkRequest.objects.get()
    assert (row.number, row.phone, row.user) == ("100000001", "+79110000011", alice)
    page = client.get(response.url).content.decode()
    assert "Заявки на привязку" in page and "100000001" in page
    assert "на рассмотрении" in page and timezone.localdate().strftime("%d.%m.%Y") in page


def test_the_refusal_reason_is_on_the_list(client, alice, operator, acc):
    row = file_request(alice)
    services.account_link_request_refuse(staff=operator, request=row, reason="Нет такой квартиры")
    client.force_login(alice)
    page = client.get("/accounts/?all=1").content.decode()
    assert "отказано" in page and "Причина: Нет такой квартиры" in page


def test_owner_sees_the_request_and_its_document_others_get_404(
    client, alice, charlie, acc, uploads_dir
):
    row = file_request(alice, document=SimpleUploadedFile("квитанция.pdf", PDF))
    detail = reverse("customer_accounts:request", args=[row.uuid])
    document = reverse("customer_accounts:request_document", args=[row.uuid])
    client.force_login(alice)
    page = client.get(detail).content.decode()
    assert "Заявка на привязку счёта 100000001" in page and "квитанция.pdf" in page
    download = client.get(document)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    client.force_login(charlie)
    assert client.get(detail).status_code == 404
    assert client.get(document).status_code == 404
    assert "100000001" not in client.get("/accounts/?all=1").content.decode()


def test_staff_do_not_file_requests(client, operator):
    client.force_login(operator)
    assert client.get(NEW).status_code == 404


# --- the operator -----------------------------------------------------------------------


def test_the_queue_is_by_deadline_overdue_first(client, alice, charlie, operator, acc):
    today = timezone.localdate()
    account(number="100000002", flat="2")
    near = file_request(alice, number="100000001", today=today - timedelta(days=8))
    late = file_request(charlie, number="100000002", today=today - timedelta(days=13))
    fresh = file_request(alice, number="999999999", today=today)
    decided = file_request(charlie, number="100000001", today=today - timedelta(days=20))
    services.account_link_request_refuse(staff=operator, request=decided, reason="нет")
    client.force_login(operator)
    response = client.get(QUEUE)
    assert [r.uuid for r in response.context["rows"]] == [late.uuid, near.uuid, fresh.uuid]
    page = response.content.decode()
    late_by = (today - working_days_after(today - timedelta(days=13), 5)).days
    assert late_by > 0 and f"просрочено на {late_by} д" in page
    assert f"{working_days_after(today, 5):%d.%m.%Y}" in page
    assert "счёт не найден" in page and "Петрова" not in page
    every = client.get(QUEUE + "?status=all").context["rows"]
    assert [r.uuid for r in every] == [late.uuid, near.uuid, fresh.uuid, decided.uuid]


def test_engineer_gets_403_and_no_data(client, alice, acc):
    file_request(alice)
    client.force_login(make_user(login="eng", staff=True, role="engineer"))
    response = client.get(QUEUE)
    assert response.status_code == 403 and "100000001" not in response.content.decode()


def test_approve_and_refuse_from_the_queue_row(client, alice, charlie, operator, acc):
    account(number="100000002", flat="2")
    first = file_request(alice)
    second = file_request(charlie, number="100000002")
    client.force_login(operator)
    page = client.get(QUEUE).content.decode()
    assert reverse("accounts_staff:approve", args=[first.uuid]) in page
    assert reverse("accounts_staff:refuse", args=[second.uuid]) in page
    response = client.post(
        reverse("accounts_staff:approve", args=[first.uuid]), {"next": QUEUE}, follow=True
    )
    assert response.redirect_chain[-1][0] == QUEUE
    assert "Лицевой счёт 100000001 привязан к кабинету Алиса." in response.content.decode()
    acc.refresh_from_db()
    assert acc.owner == alice
    # Without a reason, the request's page explains; the queue is not left half-done.
    refuse = reverse("accounts_staff:refuse", args=[second.uuid])
    response = client.post(refuse, {"next": QUEUE, "reason": ""})
    assert response.status_code == 400
    assert "Укажите причину отказа: её увидит заявитель." in response.content.decode()
    response = client.post(refuse, {"next": QUEUE, "reason": "Не тот адрес"})
    assert response.status_code == 302 and response.url == QUEUE
    second.refresh_from_db()
    assert (second.status, second.reason) == ("refused", "Не тот адрес")


def test_an_outside_next_is_ignored(client, alice, operator, acc):
    row = file_request(alice)
    client.force_login(operator)
    response = client.post(
        reverse("accounts_staff:approve", args=[row.uuid]), {"next": "https://evil.example/"}
    )
    assert response.url == reverse("accounts_staff:request", args=[row.uuid])


def test_request_page_shows_the_candidate_masked_and_the_document(
    client, alice, charlie, operator, acc, uploads_dir
):
    row = file_request(alice, document=SimpleUploadedFile("договор.pdf", PDF))
    client.force_login(operator)
    page = client.get(reverse("accounts_staff:request", args=[row.uuid])).content.decode()
    assert "Иванов И. И." in page and acc.premises.address in page
    assert "ещё ни в одном кабинете" in page and "договор.pdf" in page
    download = client.get(reverse("accounts_staff:document", args=[row.uuid]))
    assert b"".join(download.streaming_content) == PDF
    acc.owner = charlie
    acc.save()
    page = client.get(reverse("accounts_staff:request", args=[row.uuid])).content.decode()
    assert "в другом кабинете" in page
    response = client.post(reverse("accounts_staff:approve", args=[row.uuid]), follow=True)
    assert "уже привязан к другому личному кабинету" in response.content.decode()
    acc.refresh_from_db()
    assert acc.owner == charlie


def test_staff_link_and_unlink_endpoints_return_to_the_customer(client, alice, operator, acc):
    client.force_login(operator)
    back = reverse("backoffice:user", args=[alice.uuid])
    response = client.post(
        reverse("accounts_staff:link", args=[alice.uuid]), {"number": "100 000 001"}
    )
    assert response.status_code == 302 and response.url == back
    acc.refresh_from_db()
    assert acc.owner == alice
    response = client.post(
        reverse("accounts_staff:link", args=[alice.uuid]), {"number": "999999999"}, follow=True
    )
    assert "Лицевого счёта № 999999999 нет." in response.content.decode()
    unlink = reverse("accounts_staff:unlink", args=[acc.uuid])
    response = client.post(unlink, {"reason": ""}, follow=True)
    assert "Укажите причину" in response.content.decode()
    acc.refresh_from_db()
    assert acc.owner == alice
    response = client.post(unlink, {"reason": "Сменился собственник"})
    assert response.url == back
    acc.refresh_from_db()
    assert acc.owner is None


def test_the_endpoints_want_post(client, alice, operator, acc):
    client.force_login(operator)
    assert client.get(reverse("accounts_staff:link", args=[alice.uuid])).status_code == 405
