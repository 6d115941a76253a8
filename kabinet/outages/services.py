"""Writes of the outages app: staff enter and change outages (or import them), customers
subscribe to a house's outage notices. Every new outage and every change of its dates
notifies the house's customers through the one notification service."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kabinet.core.audit import audit_diff, audit_record, audit_snapshot
from kabinet.core.errors import DomainError
from kabinet.notifications.models import Kind
from kabinet.notifications.services import notify
from kabinet.outages import selectors
from kabinet.outages.models import Outage, OutageEvent, OutageSubscription
from kabinet.premises.models import House

MAX_SUBSCRIPTIONS = 50
REASON_MAX = 500
ENDS_BEFORE_START = _lazy("Дата окончания не может быть раньше даты начала (%(d)s).")


def _d(value: date) -> str:
    return f"{value:%d.%m.%Y}"


def _check(*, kind: str, service: str, starts_on, ends_on, reason: str) -> str:
    if kind not in Outage.Kind.values:
        raise DomainError(_("Выберите вид отключения: плановое или аварийное."), field="kind")
    if service not in Outage.Service.values:
        raise DomainError(_("Выберите услугу: ГВС или отопление."), field="service")
    if not isinstance(starts_on, date):
        raise DomainError(_("Укажите дату начала."), field="starts_on")
    if not isinstance(ends_on, date):
        raise DomainError(_("Укажите дату окончания."), field="ends_on")
    if ends_on < starts_on:
        raise DomainError(ENDS_BEFORE_START % {"d": _d(starts_on)}, field="ends_on")
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_("Укажите причину отключения."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(
            _("Причина — не длиннее %(n)s символов.") % {"n": REASON_MAX}, field="reason"
        )
    return reason


def _notify_house(*, outage: Outage, title: str, text: str, dedupe_key: str) -> int:
    """Notify every customer of the outage's house (accounts, «Мой дом», subscribers)."""
    url = reverse("outages:mine") + f"#outage-{outage.pk}"
    sent = 0
    for user in selectors.outage_recipients(house=outage.house):
        if notify(
            user=user, kind=Kind.OUTAGE, title=title, text=text, url=url, dedupe_key=dedupe_key
        ):
            sent += 1
    return sent


def _describe(outage: Outage) -> str:
    return _("%(kind)s отключение %(service)s: %(address)s, с %(s)s по %(e)s. Причина: %(r)s") % {
        "kind": outage.get_kind_display().capitalize(),
        "service": outage.get_service_display(),
        "address": outage.house.address,
        "s": _d(outage.starts_on),
        "e": _d(outage.ends_on),
        "r": outage.reason,
    }


@transaction.atomic
def outage_create(
    *,
    house: House,
    kind: str,
    service: str,
    starts_on: date,
    ends_on: date,
    reason: str,
    by=None,
    external_id: str = "",
) -> Outage:
    """Внести отключение: the outage, its first history row, and a notice to every
    customer of the house."""
    reason = _check(kind=kind, service=service, starts_on=starts_on, ends_on=ends_on, reason=reason)
    external_id = (external_id or "").strip()
    if external_id and Outage.objects.filter(external_id=external_id).exists():
        raise DomainError(
            _("Отключение с кодом %(id)s уже есть.") % {"id": external_id}, field="external_id"
        )
    outage = Outage.objects.create(
        house=house,
        kind=kind,
        service=service,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        external_id=external_id,
        created_by=by,
    )
    OutageEvent.objects.create(
        outage=outage,
        action=OutageEvent.Action.CREATED,
        to_starts_on=starts_on,
        to_ends_on=ends_on,
        by=by,
    )
    if by is not None:  # a load's rows are journalled as one line by outages_load
        audit_record(
            actor=by,
            action="outage_create",
            target=outage,
            changes={"starts_on": [None, starts_on], "ends_on": [None, ends_on]},
        )
    title = _("Отключение %(service)s: %(address)s, %(s)s — %(e)s") % {
        "service": outage.get_service_display(),
        "address": house.short_address,
        "s": _d(starts_on),
        "e": _d(ends_on),
    }
    _notify_house(
        outage=outage, title=title, text=_describe(outage), dedupe_key=f"outage-{outage.pk}"
    )
    return outage


AUDITED = ["kind", "service", "reason", "starts_on", "ends_on"]


@transaction.atomic
def outage_update(
    *,
    outage: Outage,
    kind: str,
    service: str,
    starts_on: date,
    ends_on: date,
    reason: str,
    by=None,
    comment: str = "",
) -> tuple[Outage, bool]:
    """Change an outage. A change of dates is kept as a history row (from → to, who,
    when) and notifies the house's customers again. Returns the outage and whether
    anything changed."""
    reason = _check(kind=kind, service=service, starts_on=starts_on, ends_on=ends_on, reason=reason)
    outage = (
        Outage.objects.select_for_update()
        .select_related("house__street__settlement")
        .get(pk=outage.pk)
    )
    old_dates = (outage.starts_on, outage.ends_on)
    before = audit_snapshot(outage, AUDITED)
    others_changed = (outage.kind, outage.service, outage.reason) != (kind, service, reason)
    dates_changed = old_dates != (starts_on, ends_on)
    if not (dates_changed or others_changed):
        return outage, False
    outage.kind, outage.service, outage.reason = kind, service, reason
    outage.starts_on, outage.ends_on = starts_on, ends_on
    outage.save(update_fields=["kind", "service", "reason", "starts_on", "ends_on"])
    comment = (comment or "").strip()[:300]
    if by is not None:
        audit_record(
            actor=by,
            action="outage_update",
            target=outage,
            note=comment,
            changes=audit_diff(before, audit_snapshot(outage, AUDITED)),
        )
    if dates_changed:
        event = OutageEvent.objects.create(
            outage=outage,
            action=OutageEvent.Action.DATES_CHANGED,
            from_starts_on=old_dates[0],
            from_ends_on=old_dates[1],
            to_starts_on=starts_on,
            to_ends_on=ends_on,
            by=by,
            comment=comment,
        )
        title = _("Изменены даты отключения %(service)s: %(address)s, %(s)s — %(e)s") % {
            "service": outage.get_service_display(),
            "address": outage.house.short_address,
            "s": _d(starts_on),
            "e": _d(ends_on),
        }
        text = _("Было: с %(s0)s по %(e0)s. Стало: с %(s)s по %(e)s.") % {
            "s0": _d(old_dates[0]),
            "e0": _d(old_dates[1]),
            "s": _d(starts_on),
            "e": _d(ends_on),
        }
        _notify_house(
            outage=outage,
            title=title,
            text=text + "\n" + _describe(outage),
            # A new key per change: each change of dates is told once.
            dedupe_key=f"outage-{outage.pk}-dates-{event.pk}",
        )
    else:
        OutageEvent.objects.create(
            outage=outage, action=OutageEvent.Action.CHANGED, by=by, comment=comment
        )
    return outage, True


# --- subscriptions ---------------------------------------------------------------------


@transaction.atomic
def outage_subscribe(*, user, house: House) -> tuple[OutageSubscription, bool]:
    """Подписаться на уведомления об отключениях дома; twice is harmless.

    Returns the subscription and whether it is new."""
    if not user.is_authenticated:
        raise DomainError(_("Войдите в личный кабинет, чтобы подписаться на уведомления."))
    if user.is_staff:
        raise DomainError(_("Подписка на уведомления — для абонентов, а не для сотрудников."))
    existing = OutageSubscription.objects.filter(user=user, house=house).first()
    if existing is not None:
        return existing, False
    count = len(OutageSubscription.objects.select_for_update().filter(user=user).values_list("pk"))
    if count >= MAX_SUBSCRIPTIONS:
        raise DomainError(
            _("Можно подписаться не больше чем на %(n)s домов. Отпишитесь от лишнего дома.")
            % {"n": MAX_SUBSCRIPTIONS},
            field="house",
        )
    return OutageSubscription.objects.get_or_create(user=user, house=house)


@transaction.atomic
def outage_unsubscribe(*, subscription: OutageSubscription) -> None:
    """Отписаться от уведомлений об отключениях дома."""
    subscription.delete()


# --- import ----------------------------------------------------------------------------


@dataclass
class LoadReport:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, why)


KIND_WORDS = {"плановое": "planned", "planned": "planned", "аварийное": "emergency"}
KIND_WORDS["emergency"] = "emergency"
SERVICE_WORDS = {
    "гвс": "hot_water",
    "hot_water": "hot_water",
    "горячее водоснабжение": "hot_water",
    "отопление": "heating",
    "heating": "heating",
}


def _word(value, words: dict[str, str], field_name: str, message: str) -> str:
    key = " ".join(str(value or "").split()).casefold()
    if key not in words:
        raise DomainError(message % {"v": value}, field=field_name)
    return words[key]


def _row_date(value, field_name: str) -> date:
    text = str(value or "").strip()
    m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text) or re.fullmatch(
        r"(\d{4})-(\d{2})-(\d{2})", text
    )
    try:
        if m and "." in text:
            return date(int(m[3]), int(m[2]), int(m[1]))
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        pass
    raise DomainError(
        _("Дата «%(v)s» не распознана: нужна ДД.ММ.ГГГГ.") % {"v": text}, field=field_name
    )


def _row_house(row: Mapping[str, Any]) -> House:
    """The registry's house at the row's address (compared case- and ё-insensitively)."""
    from kabinet.premises.models import Settlement, Street
    from kabinet.premises.selectors import fold, house_variants

    town, street = fold(row["settlement"]), fold(row["street"])
    building, letter = fold(row.get("building") or ""), fold(row.get("letter") or "")
    towns = [s.pk for s in Settlement.objects.all() if fold(s.name) == town]
    streets = [
        s.pk
        for s in Street.objects.filter(settlement_id__in=towns).only("id", "name")
        if fold(s.name) == street
    ]
    for street_id in streets:
        for h in house_variants(street_id=street_id, number=str(row["house"] or "")):
            if fold(h.building) == building and fold(h.letter) == letter:
                return h
    raise DomainError(
        _("Дома «%(a)s» нет в реестре зоны теплоснабжения.")
        % {
            "a": ", ".join(
                str(row.get(k) or "").strip()
                for k in ("settlement", "street", "house", "building", "letter")
                if row.get(k)
            )
        },
        field="house",
    )


def _load_row(row: Mapping[str, Any], *, by) -> str:
    external_id = str(row["id"] or "").strip()
    if not external_id:
        raise DomainError(_("Нет кода отключения (id)."), field="id")
    house = _row_house(row)
    kind = _word(
        row["kind"], KIND_WORDS, "kind", _("Вид «%(v)s» не известен: плановое или аварийное.")
    )
    service = _word(
        row["service"],
        SERVICE_WORDS,
        "service",
        _("Услуга «%(v)s» не известна: ГВС или отопление."),
    )
    starts_on = _row_date(row["start"], "start")
    ends_on = _row_date(row["end"], "end")
    reason = str(row["reason"] or "")
    existing = Outage.objects.filter(external_id=external_id).first()
    if existing is None:
        outage_create(
            house=house, kind=kind, service=service, starts_on=starts_on, ends_on=ends_on,
            reason=reason, by=by, external_id=external_id,
        )  # fmt: skip
        return "created"
    if existing.house_id != house.pk:
        raise DomainError(
            _("Отключение %(id)s уже внесено для другого дома.") % {"id": external_id},
            field="house",
        )
    _outage, changed = outage_update(
        outage=existing, kind=kind, service=service, starts_on=starts_on, ends_on=ends_on,
        reason=reason, by=by, comment=_("загружено из файла"),
    )  # fmt: skip
    return "changed" if changed else "unchanged"


def outages_load(*, rows: Iterable[Mapping[str, Any]], by=None) -> LoadReport:
    """Load outages from the billing or dispatch system; a repeated load changes nothing.

    A row has ``id`` (the external code), ``settlement``, ``street``, ``house``, and
    optionally ``building``, ``letter``; ``kind`` (плановое / аварийное), ``service``
    (ГВС / отопление), ``start``, ``end`` (ДД.ММ.ГГГГ) and ``reason``. A known id with
    other dates changes the outage (history, notices). A bad row is reported with its
    number and the good ones are kept."""
    report = LoadReport()
    for number, row in enumerate(rows, start=1):
        try:
            with transaction.atomic():
                outcome = _load_row(row, by=by)
        except DomainError as exc:
            report.rejected.append((number, str(exc.message)))
            continue
        except KeyError as exc:
            report.rejected.append((number, _("Нет поля %(f)s.") % {"f": exc}))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    audit_record(actor=by, action="outages_load", note=_load_note(report))
    return report


def _load_note(report: LoadReport) -> str:
    return _("Добавлено: %(c)d, изменено: %(ch)d, без изменений: %(u)d, с ошибками: %(r)d.") % {
        "c": report.created,
        "ch": report.changed,
        "u": report.unchanged,
        "r": len(report.rejected),
    }
