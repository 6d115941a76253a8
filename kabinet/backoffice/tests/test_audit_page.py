"""«Журнал действий» (/staff/audit/): the administrator finds lines by text, person,
action, object type and dates, pages through them and downloads what they found."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from kabinet.core.audit import audit_record
from kabinet.core.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = reverse("backoffice:audit")


@pytest.fixture
def lines(alice, staff):
    """Two staff lines about Alice and one line of the system."""
    audit_record(
        actor=staff,
        action="appeal_answer",
        target=alice,
        subject=alice,
        changes={"status": ["new", "answered"]},
        note="Начисление верное",
    )
    audit_record(
        actor=staff,
        action="contract_login_reset",
        target=alice,
        subject=alice,
        changes={"password": ["***", "***"]},
    )
    audit_record(actor=None, action="import_apply", note="Файл readings.csv")


def rows(response) -> list[str]:
    page = response.content.decode()
    return [part.split("</tr>")[0] for part in page.split('<tr class="audit-line">')[1:]]


def test_the_administrator_sees_every_line_newest_first(client, staff, alice, lines):
    client.force_login(staff)
    response = client.get(URL)
    assert response.status_code == 200
    found = rows(response)
    assert len(found) == 3
    assert "Загрузка применена" in found[0] and "Система" in found[0]
    assert "Пароль сброшен на первый (ИНН)" in found[1]
    assert "Ответ на обращение" in found[2]
    # the object links to the customer's card; the changes read «поле: было → стало»
    assert reverse("backoffice:user", args=[alice.uuid]) in found[2]
    assert "new → answered" in found[2] or "новое → ответ дан" in found[2].lower()
    entry = AuditEntry.objects.get(action="appeal_answer")
    assert timezone.localtime(entry.at).strftime("%d.%m.%Y %H:%M") in found[2]


def test_text_matches_names_notes_and_action_labels(client, staff, lines):
    client.force_login(staff)
    by_note = rows(client.get(URL, {"q": "Начисление"}))
    assert len(by_note) == 1 and "Ответ на обращение" in by_note[0]
    by_label = rows(client.get(URL, {"q": "сброшен"}))  # a word of the action's label
    assert len(by_label) == 1 and "Пароль сброшен" in by_label[0]
    by_actor = rows(client.get(URL, {"q": "Система"}))
    assert len(by_actor) == 1 and "Загрузка применена" in by_actor[0]
    page = client.get(URL, {"q": "сброшен"}).content.decode()
    assert 'value="сброшен"' in page  # the form keeps what was typed


def test_filters_by_person_action_type_and_dates(client, staff, alice, lines):
    other = make_user(login="admin2", staff=True, display_name="Второй")
    audit_record(actor=other, action="news_update", target=other)
    client.force_login(staff)
    assert len(rows(client.get(URL, {"who": str(other.pk)}))) == 1
    assert len(rows(client.get(URL, {"who": "system"}))) == 1
    assert len(rows(client.get(URL, {"who": str(staff.pk)}))) == 2
    only = rows(client.get(URL, {"action": "contract_login_reset"}))
    assert len(only) == 1 and "Пароль сброшен" in only[0]
    assert len(rows(client.get(URL, {"target_type": "identity.user"}))) == 3
    today = timezone.localdate()
    assert len(rows(client.get(URL, {"date_from": today.strftime("%d.%m.%Y")}))) == 4
    tomorrow = (today + timedelta(days=1)).strftime("%d.%m.%Y")
    assert rows(client.get(URL, {"date_from": tomorrow})) == []
    yesterday = (today - timedelta(days=1)).strftime("%d.%m.%Y")
    assert rows(client.get(URL, {"date_to": yesterday})) == []


def test_a_bad_date_is_explained_next_to_the_field_and_kept(client, staff, lines):
    client.force_login(staff)
    response = client.get(URL, {"date_from": "31.02.2026", "q": "Начисление"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_date_from_error"' in page
    assert "Введите дату в формате ДД.ММ.ГГГГ" in page
    assert 'value="31.02.2026"' in page and 'value="Начисление"' in page
    assert rows(response) == []
    backwards = client.get(URL, {"date_from": "10.11.2026", "date_to": "01.11.2026"})
    assert "не может быть раньше" in backwards.content.decode()


def test_the_list_is_paged_by_fifty(client, staff):
    for n in range(55):
        audit_record(actor=staff, action="news_update", note=f"правка {n}")
    client.force_login(staff)
    first = client.get(URL, {"action": "news_update"})
    assert len(rows(first)) == 50
    assert "правка 54" in rows(first)[0]
    second = client.get(URL, {"action": "news_update", "page": 2})
    assert len(rows(second)) == 5
    assert "правка 0" in rows(second)[-1]
    assert "action=news_update&amp;page=2" in first.content.decode()


def test_the_csv_holds_the_filtered_lines(client, staff, alice, lines):
    client.force_login(staff)
    response = client.get(URL, {"q": "Начисление", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == [
        "Когда",
        "Кто",
        "Действие",
        "Объект",
        "Абонент",
        "Изменения",
        "Комментарий",
    ]
    assert len(table) == 2
    line = table[1]
    assert line[1] == str(staff) and line[2] == "Ответ на обращение"
    assert line[4] == str(alice) and line[6] == "Начисление верное"
    assert "→" in line[5]


def test_an_operator_gets_403_and_no_lines(client, lines):
    client.force_login(make_user(login="op", staff=True, role="operator"))
    response = client.get(URL)
    assert response.status_code == 403
    assert "Начисление верное" not in response.content.decode()


def test_a_customer_gets_404(client, alice, lines):
    client.force_login(alice)
    assert client.get(URL).status_code == 404


def test_a_stranger_is_sent_to_sign_in(client, lines):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/staff/audit/" in response["Location"]
