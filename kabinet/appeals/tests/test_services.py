from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from kabinet.appeals import selectors, services
from kabinet.appeals.models import Appeal, Attachment, Message
from kabinet.appeals.tests import samples
from kabinet.appeals.tests.conftest import stored_files
from kabinet.appeals.tests.factories import appeal as make_appeal
from kabinet.core.errors import DomainError
from kabinet.core.utility_profiles import (
    APPEAL_TOPIC_ACCOUNT_LINK,
    APPEAL_TOPIC_OTHER,
    APPEAL_TOPIC_PERSONAL_DATA,
)
from kabinet.customer_accounts.tests.factories import account
from kabinet.notifications.models import Notice, Preference

pytestmark = pytest.mark.django_db


def test_open_on_account_with_file(alice, uploads_dir):
    acc = account(owner=alice)
    appeal = services.appeal_open(
        user=alice,
        topic=APPEAL_TOPIC_OTHER,
        text="Прошу пересчитать отопление",
        account=acc,
        files=[samples.upload("акт.pdf", samples.PDF)],
    )
    assert appeal.status == Appeal.Status.NEW
    assert appeal.subject == "Лицевой счёт 100000001"
    today = timezone.localdate()
    assert appeal.register_due == today + timedelta(days=10)
    assert appeal.answer_due == today + timedelta(days=30)
    message = appeal.conversation.messages.get()
    attachment = message.attachments.get()
    assert attachment.name == "акт.pdf"
    assert attachment.content_type == "application/pdf"
    # Stored outside the web root, under a random name without the customer's name.
    [path] = stored_files(uploads_dir)
    assert path.name == attachment.uuid.hex
    assert path.read_bytes() == samples.PDF
    assert list(appeal.events.values_list("from_status", "to_status")) == [("", "new")]


def test_open_refusals_change_nothing(alice, charlie, uploads_dir):
    stranger_account = account(owner=charlie)
    cases = [
        (dict(topic="Не из списка", about="x"), "topic"),
        (dict(topic=APPEAL_TOPIC_OTHER), "about"),
        (dict(topic=APPEAL_TOPIC_OTHER, account=stranger_account), "account"),
        (dict(topic=APPEAL_TOPIC_OTHER, about="x", answer_by_email=True, email=""), "email"),
        (dict(topic=APPEAL_TOPIC_OTHER, about="x", answer_by_email=True, email="нет"), "email"),
        (dict(topic=APPEAL_TOPIC_OTHER, about="x", text=""), "text"),
        (
            dict(
                topic=APPEAL_TOPIC_OTHER,
                about="x",
                files=[
                    samples.upload("хороший.pdf", samples.PDF),
                    samples.upload("лжец.pdf", samples.PNG),
                ],
            ),
            "files",
        ),
    ]
    for kwargs, field in cases:
        kwargs.setdefault("text", "Текст")
        with pytest.raises(DomainError) as exc:
            services.appeal_open(user=alice, **kwargs)
        assert exc.value.field == field, kwargs
    assert not Appeal.objects.exists()
    assert not Message.objects.exists() and not Attachment.objects.exists()
    assert stored_files(uploads_dir) == []


def test_failure_after_files_written_removes_them(alice, uploads_dir, monkeypatch):
    from kabinet.appeals import conversations

    real = conversations.conversation_read

    def boom(**kwargs):
        real(**kwargs)
        raise RuntimeError("database went away")

    monkeypatch.setattr(conversations, "conversation_read", boom)
    with pytest.raises(RuntimeError):
        make_appeal(alice, files=[samples.upload("акт.pdf", samples.PDF)])
    assert not Appeal.objects.exists() and not Attachment.objects.exists()
    assert stored_files(uploads_dir) == []


def test_topics_always_offer_the_support_topics(settings):
    for code in ("tek_spb", "tgk2", "gk_kazan"):
        settings.KABINET_UTILITY = code
        topics = services.appeal_topics()
        assert APPEAL_TOPIC_PERSONAL_DATA in topics and APPEAL_TOPIC_ACCOUNT_LINK in topics
        assert topics[-1] == APPEAL_TOPIC_OTHER
    settings.KABINET_UTILITY = "tgk2"
    assert services.appeal_topics()[:2] == (
        "Вопросы по работе Личного кабинета потребителя",
        "Вопросы по работе Личного кабинета ИСУ",
    )


def test_transitions_follow_the_table(alice, staff):
    appeal = make_appeal(alice)
    with pytest.raises(DomainError):
        services.appeal_transition(appeal=appeal, to=Appeal.Status.ANSWERED, by=staff)
    services.appeal_transition(appeal=appeal, to=Appeal.Status.REGISTERED, by=staff, comment="ок")
    services.appeal_transition(appeal=appeal, to=Appeal.Status.IN_WORK, by=staff)
    services.appeal_transition(appeal=appeal, to=Appeal.Status.CLOSED, by=staff, comment="дубль")
    appeal.refresh_from_db()
    assert appeal.status == "closed"
    assert appeal.registered_at and appeal.in_work_at and appeal.closed_at
    for to in Appeal.Status.values:
        with pytest.raises(DomainError):
            services.appeal_transition(appeal=appeal, to=to, by=staff)
    rows = list(appeal.events.values_list("from_status", "to_status", "by", "comment"))
    assert rows == [
        ("", "new", alice.pk, ""),
        ("new", "registered", staff.pk, "ок"),
        ("registered", "in_work", staff.pk, ""),
        ("in_work", "closed", staff.pk, "дубль"),
    ]


def test_every_move_in_the_table_is_reachable_and_nothing_else():
    statuses = set(Appeal.Status.values)
    assert set(Appeal.TRANSITIONS) == statuses
    for moves in Appeal.TRANSITIONS.values():
        assert moves <= statuses


@pytest.mark.django_db(transaction=True)
def test_answer_notifies_and_unread(alice, staff):
    appeal = make_appeal(alice)
    assert selectors.unread_count(alice) == 0
    services.appeal_answer(staff=staff, appeal=appeal, text="Пересчёт сделан.")
    appeal.refresh_from_db()
    assert appeal.status == "answered"
    assert [e.to_status for e in appeal.events.all()] == ["new", "registered", "answered"]
    notice = Notice.objects.get(user=alice)
    assert notice.kind == "appeal" and notice.url == f"/appeals/{appeal.uuid}/"
    assert notice.emailed  # the default for answers: e-mail on
    assert len(mail.outbox) == 1 and "Ответ на обращение" in mail.outbox[0].subject
    assert selectors.unread_count(alice) == 1
    services.appeal_read(user=alice, appeal=appeal)
    assert selectors.unread_count(alice) == 0
    # The customer writes back: the appeal goes back to work; nothing unread for them.
    services.appeal_write(user=alice, appeal=appeal, text="Спасибо, но остался вопрос.")
    assert appeal.status == "in_work"
    assert selectors.unread_count(alice) == 0


@pytest.mark.django_db(transaction=True)
def test_answer_by_email_even_with_preference_off(alice, staff):
    Preference.objects.create(user=alice, kind="appeal", email=False, sms=False)
    appeal = make_appeal(alice, answer_by_email=True, email="alice.work@example.ru")
    services.appeal_answer(
        staff=staff,
        appeal=appeal,
        text="Ваш счёт привязан.",
        files=[samples.upload("справка.pdf", samples.PDF)],
    )
    assert len(mail.outbox) == 1
    letter = mail.outbox[0]
    assert letter.to == ["alice.work@example.ru"]
    assert "Ваш счёт привязан." in letter.body and "справка.pdf" in letter.body
    assert f"/appeals/{appeal.uuid}/" in letter.body
    assert not Notice.objects.get(user=alice).emailed


@pytest.mark.django_db(transaction=True)
def test_preference_off_and_no_box_no_email(alice, staff):
    Preference.objects.create(user=alice, kind="appeal", email=False, sms=False)
    appeal = make_appeal(alice)
    services.appeal_answer(staff=staff, appeal=appeal, text="Ответ.")
    assert mail.outbox == []
    assert Notice.objects.filter(user=alice).count() == 1


def test_question_back_keeps_in_work(alice, staff):
    appeal = make_appeal(alice)
    services.appeal_answer(staff=staff, appeal=appeal, text="Уточните номер.", final=False)
    assert appeal.status == "in_work"


def test_closed_takes_no_messages(alice, staff):
    appeal = make_appeal(alice)
    services.appeal_transition(appeal=appeal, to="closed", by=staff)
    with pytest.raises(DomainError, match="закрыто"):
        services.appeal_write(user=alice, appeal=appeal, text="Ещё")
    with pytest.raises(DomainError):
        services.appeal_answer(staff=staff, appeal=appeal, text="Ещё")


def test_only_owner_writes_only_staff_answers(alice, charlie, staff):
    appeal = make_appeal(alice)
    with pytest.raises(DomainError):
        services.appeal_write(user=charlie, appeal=appeal, text="Чужое")
    with pytest.raises(DomainError):
        services.appeal_answer(staff=charlie, appeal=appeal, text="Я не сотрудник")
    with pytest.raises(DomainError):
        services.appeal_open(user=staff, topic=APPEAL_TOPIC_OTHER, text="x", about="x")
    assert appeal.conversation.messages.count() == 1


def test_list_grouped_by_topic_newest_first(alice, charlie):
    first = make_appeal(alice, topic=APPEAL_TOPIC_OTHER)
    second = make_appeal(alice, topic=APPEAL_TOPIC_PERSONAL_DATA)
    third = make_appeal(alice, topic=APPEAL_TOPIC_OTHER)
    make_appeal(charlie)
    groups = selectors.appeals_by_topic(alice)
    assert [(t, [a.pk for a in g]) for t, g in groups] == [
        (APPEAL_TOPIC_OTHER, [third.pk, first.pk]),
        (APPEAL_TOPIC_PERSONAL_DATA, [second.pk]),
    ]


def test_staff_queue_overdue_first(alice, staff):
    late = make_appeal(alice)
    Appeal.objects.filter(pk=late.pk).update(register_due=timezone.localdate() - timedelta(days=2))
    fresh = make_appeal(alice)
    registered = make_appeal(alice)
    services.appeal_transition(appeal=registered, to="registered", by=staff)
    Appeal.objects.filter(pk=registered.pk).update(answer_due=timezone.localdate() + timedelta(5))
    answered = make_appeal(alice)
    services.appeal_answer(staff=staff, appeal=answered, text="Ответ")
    queue = [a.pk for a in selectors.staff_queue()]
    assert queue == [late.pk, registered.pk, fresh.pk]
    assert [a.pk for a in selectors.staff_queue(status="answered")] == [answered.pk]
