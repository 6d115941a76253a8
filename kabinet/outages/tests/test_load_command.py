"""manage.py load_outages: outages from CSV, idempotent by the source's id."""

from io import StringIO

import pytest
from django.core.management import call_command

from kabinet.notifications.models import Notice
from kabinet.outages.models import Outage, OutageEvent

from . import factories as f

pytestmark = pytest.mark.django_db

HEADER = "id;settlement;street;house;building;letter;kind;service;start;end;reason\n"


def run(path) -> str:
    out = StringIO()
    call_command("load_outages", str(path), stdout=out)
    return out.getvalue()


def test_load_is_idempotent_reports_bad_lines_and_keeps_good_ones(tmp_path, alice):
    house = f.house("5")
    f.house("7", building="2")
    f.account(alice, house)
    csv_file = tmp_path / "outages.csv"
    csv_file.write_text(
        HEADER
        + "A-1;Санкт-Петербург;садовая улица;5;;;плановое;ГВС;15.11.2026;28.11.2026;Ремонт сети\n"
        + "A-2;Санкт-Петербург;Садовая улица;7;2;;Аварийное;отопление;2026-11-10;2026-11-11;Авар.\n"
        + "A-3;Санкт-Петербург;Садовая улица;404;;;плановое;ГВС;15.11.2026;28.11.2026;Ремонт\n"
        + "A-4;Санкт-Петербург;Садовая улица;5;;;плановое;ГВС;31.11.2026;01.12.2026;Ремонт\n"
        + "A-5;Санкт-Петербург;Садовая улица;5;;;плановое;газ;15.11.2026;28.11.2026;Ремонт\n"
        + "A-6;Санкт-Петербург;Садовая улица;5;;;плановое;ГВС;28.11.2026;15.11.2026;Ремонт\n",
        encoding="utf-8",
    )
    out = run(csv_file)
    assert "Новых: 2, изменено: 0, без изменений: 0, отклонено: 4" in out
    assert "строка 4: Дома «Санкт-Петербург, Садовая улица, 404» нет в реестре" in out
    assert "строка 5: Дата «31.11.2026» не распознана" in out
    assert "строка 6: Услуга «газ» не известна" in out
    assert "строка 7: Дата окончания не может быть раньше даты начала (28.11.2026)" in out
    assert Outage.objects.count() == 2
    assert Notice.objects.filter(user=alice).count() == 1

    assert "Новых: 0, изменено: 0, без изменений: 2" in run(csv_file)
    assert Notice.objects.filter(user=alice).count() == 1

    # The source moves the dates: history and a second notice.
    csv_file.write_text(
        HEADER
        + "A-1;Санкт-Петербург;Садовая улица;5;;;плановое;ГВС;16.11.2026;29.11.2026;Ремонт сети\n",
        encoding="utf-8",
    )
    assert "Новых: 0, изменено: 1" in run(csv_file)
    event = OutageEvent.objects.get(action="dates")
    assert f"{event.from_starts_on:%d.%m}→{event.to_starts_on:%d.%m}" == "15.11→16.11"
    assert event.comment == "загружено из файла"
    assert Notice.objects.filter(user=alice).count() == 2


def test_missing_file_and_column(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        run(tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("id;settlement\nA-1;Санкт-Петербург\n", encoding="utf-8")
    assert "строка 2: Нет поля" in run(bad)
