"""Getting a contract into a cabinet and talking about it.

A contract reaches a cabinet in one of four ways, each ending in ``_attach``:
- sign-up as a subscriber with a concluded contract's number, date and ИНН (000 §3.2);
- a request with the ИНН, the number and a signed access request, approved by staff (004);
- a cabinet staff open for an organisation (001) or a contract-number login (003): the
  contract with that number comes with it.
A contract belongs to at most one cabinet; moving it to another is staff's work.

The curator chat (000 §3.3.1) is a conversation of the appeals app owned by the contract.
"""

from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.appeals import conversations, uploads
from kabinet.backoffice import roles
from kabinet.contracts.models import Contract, ContractRequest
from kabinet.core.audit import audit_record
from kabinet.core.errors import DomainError
from kabinet.core.utility import get_utility
from kabinet.identity import throttle
from kabinet.identity.codes import minutes_text
from kabinet.identity.models import Party, User

SIGNUP_TRIES = 5  # wrong contract details per address per hour
SIGNUP_WINDOW = 3600
STATEMENT_KINDS = {"application/pdf", "image/jpeg", "image/png"}
STATEMENT_MAX_BYTES = 10 * 1024 * 1024


def _require(flag: str) -> None:
    profile = get_utility()
    if not profile.contracts or not getattr(profile, flag):
        raise DomainError(_("Эта возможность у организации не используется."))


def _party_kind(inn: str) -> str:
    return Party.Kind.IP if len(inn) == 12 else Party.Kind.LEGAL


def _attach(*, contract: Contract, party: Party) -> None:
    """Put a locked contract into the party's cabinet."""
    contract.party = party
    contract.attached_at = timezone.now()
    contract.save(update_fields=["party", "attached_at"])


def _party_for(user: User, contract: Contract) -> Party:
    """The user's party with the contract's ИНН, made from the contract if missing."""
    party = user.parties.filter(inn=contract.customer_inn).first()
    if party is None:
        party = Party.objects.create(
            user=user,
            kind=_party_kind(contract.customer_inn),
            org_name=contract.customer_name,
            inn=contract.customer_inn,
            kpp=contract.customer_kpp,
            email=user.email or "",
            phone=user.phone or "",
        )
    return party


# --- sign-up with a contract (000 §3.2) ------------------------------------------------


def contract_signup(
    *,
    number: str,
    signed_on: date,
    inn: str,
    email: str,
    password: str,
    consent: bool,
    client,
) -> User:
    """Регистрация абонента: a new cabinet for the holder of a concluded contract, found
    by its number, date and ИНН. The cabinet waits for its e-mail to be confirmed, as
    every e-mail sign-up does; the contract is in it from the start. Wrong details are
    counted per address, and the message never says which detail was wrong."""
    from kabinet.identity.services.signup import PartyData, signup_email

    _require("contract_signup")
    key = client.ip or "-"
    wait = throttle.retry_after("contract_signup", key, limit=SIGNUP_TRIES, seconds=SIGNUP_WINDOW)
    if wait:
        raise DomainError(
            _("Слишком много неудачных попыток. Повторите через %(wait)s.")
            % {"wait": minutes_text(wait)}
        )
    number = number.strip()
    contract = Contract.objects.filter(number=number, signed_on=signed_on, customer_inn=inn).first()
    if contract is None:
        throttle.hit("contract_signup", key)
        raise DomainError(
            _(
                "Договор с такими номером, датой и ИНН не найден. Проверьте данные по "
                "тексту договора."
            ),
            field="number",
        )
    if contract.state != Contract.State.CONCLUDED:
        raise DomainError(
            _(
                "Договор № %(n)s не заключён (состояние — «%(s)s»). Зарегистрироваться по "
                "договору можно, когда он заключён; а заявку на заключение можно подать, "
                "зарегистрировавшись без договора."
            )
            % {"n": contract.number, "s": contract.get_state_display()},
            field="number",
        )
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if contract.party_id is not None:
            profile = get_utility()
            raise DomainError(
                _(
                    "Договор № %(n)s уже подключён к личному кабинету. Если это ваш договор, "
                    "обратитесь в поддержку: %(phone)s, %(email)s."
                )
                % {
                    "n": contract.number,
                    "phone": profile.support_phone,
                    "email": profile.support_email,
                },
                field="number",
            )
        user = signup_email(
            email=email,
            phone="",
            password=password,
            party=PartyData(
                kind=_party_kind(contract.customer_inn),
                org_name=contract.customer_name,
                inn=contract.customer_inn,
                kpp=contract.customer_kpp,
            ),
            consent=consent,
            client=client,
        )
        _attach(contract=contract, party=user.parties.get())
    return user


def contract_attach_for_login(*, party: Party, number: str) -> Contract | None:
    """The contract named by a staff-opened cabinet (001) or a contract-number login
    (003) joins that cabinet, if its ИНН is the party's and no cabinet holds it."""
    with transaction.atomic():
        contract = (
            Contract.objects.select_for_update()
            .filter(number=number, customer_inn=party.inn, party__isnull=True)
            .first()
        )
        if contract is None:
            return None
        _attach(contract=contract, party=party)
    return contract


# --- adding a contract by request (004) -------------------------------------------------


def _check_statement(upload) -> uploads.CheckedFile:
    if upload is None:
        raise DomainError(
            _("Приложите заявление, подписанное уполномоченным представителем."),
            field="statement",
        )
    extension = (getattr(upload, "name", "") or "").rsplit(".", 1)[-1].lower()
    if extension not in {"pdf", "jpg", "jpeg", "png"}:
        raise DomainError(
            _("Заявление принимается в формате PDF, JPEG или PNG."), field="statement"
        )
    checked = uploads.check_file(upload)
    if checked.content_type not in STATEMENT_KINDS:
        raise DomainError(
            _("Заявление принимается в формате PDF, JPEG или PNG."), field="statement"
        )
    if checked.size > STATEMENT_MAX_BYTES:
        raise DomainError(_("Файл заявления больше 10 МБ."), field="statement")
    return checked


def contract_request_create(*, user: User, inn: str, number: str, statement) -> ContractRequest:
    """Добавление договора (004): the cabinet asks for a contract by the organisation's
    ИНН and the contract's number, with the signed access request attached. Whether such
    a contract exists is not said here — staff check it — so the form cannot be used to
    probe other companies' contracts."""
    _require("contract_requests")
    if user.is_staff:
        raise DomainError(_("Сотрудники добавляют договоры в кабинеты в бэк-офисе."))
    number = number.strip()
    if Contract.objects.filter(
        number=number, party__in=Party.objects.acting_for(user).values("pk")
    ).exists():
        raise DomainError(_("Этот договор уже есть в вашем кабинете."), field="number")
    if ContractRequest.objects.filter(
        user=user, number=number, status=ContractRequest.Status.PENDING
    ).exists():
        raise DomainError(_("Заявка на этот договор уже подана и рассматривается."), field="number")
    checked = _check_statement(statement)
    with conversations.atomic():
        request = ContractRequest(
            user=user,
            inn=inn,
            number=number,
            contract=Contract.objects.filter(number=number, customer_inn=inn).first(),
            statement_name=checked.name,
            statement_type=checked.content_type,
            statement_size=checked.size,
        )
        checked.upload.seek(0)
        request.statement.save(request.uuid.hex, checked.upload, save=False)
        conversations.remember_file(request.statement.name)
        request.save()
    return request


def _decide(request: ContractRequest, to: str, by: User, reason: str = "") -> ContractRequest:
    locked = ContractRequest.objects.select_for_update().get(pk=request.pk)
    if to not in ContractRequest.TRANSITIONS[locked.status]:
        raise DomainError(
            _("Заявка уже рассмотрена: «%(s)s».") % {"s": locked.get_status_display()}
        )
    approved = to == ContractRequest.Status.APPROVED
    audit_record(
        actor=by,
        action="contract_request_approve" if approved else "contract_request_refuse",
        target=locked,
        subject=locked.user,
        changes={"status": [locked.status, to]},
        note=reason,
    )
    locked.status = to
    locked.reason = reason
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    return locked


def _tell(request: ContractRequest, title: str, text: str) -> None:
    """The decision reaches the customer by e-mail and SMS whatever their notice
    settings (004: «поступит смс-сообщение»), and stays in their notices."""
    from kabinet.notifications.models import Kind
    from kabinet.notifications.services import email_send, notify, sms_send

    user = request.user
    url = reverse("contracts:list")
    notify(user=user, kind=Kind.CONTRACT, title=title, text=text, url=url, email=False)
    if user.email:
        email_send(
            to=user.email,
            template="notice",
            context={
                "title": title,
                "text": text,
                "link": settings.KABINET_PUBLIC_URL.rstrip("/") + url,
            },
        )
    if user.phone:
        sms_send(
            phone=user.phone,
            text=f"{get_utility().short_name}: {title}",
            idempotency_key=f"contract-request-{request.uuid}-{request.status}",
        )


def contract_request_approve(*, by: User, request: ContractRequest) -> Contract:
    """Staff approve: the contract with the request's number and ИНН joins the
    requester's cabinet (under their party with that ИНН, made if missing)."""
    if not roles.can(by, roles.ACCESS):
        raise DomainError(_("Рассматривать заявки могут только сотрудники."))
    with transaction.atomic():
        contract = (
            Contract.objects.select_for_update()
            .filter(number=request.number, customer_inn=request.inn)
            .first()
        )
        if contract is None:
            raise DomainError(
                _("Договора № %(n)s с ИНН %(inn)s нет. Откажите с причиной.")
                % {"n": request.number, "inn": request.inn}
            )
        if contract.party_id is not None and contract.party.user_id != request.user_id:
            raise DomainError(
                _("Договор уже в кабинете другого пользователя (%(who)s).")
                % {"who": contract.party.user}
            )
        request = _decide(request, ContractRequest.Status.APPROVED, by)
        ContractRequest.objects.filter(pk=request.pk).update(contract=contract)
        _attach(contract=contract, party=_party_for(request.user, contract))
        _tell(
            request,
            _("Договор № %(n)s добавлен в личный кабинет") % {"n": contract.number},
            _("Сведения по договору № %(n)s доступны в разделе «Договоры».")
            % {"n": contract.number},
        )
    return contract


def contract_request_refuse(*, by: User, request: ContractRequest, reason: str) -> ContractRequest:
    """Staff refuse, saying why; the customer is told the reason."""
    if not roles.can(by, roles.ACCESS):
        raise DomainError(_("Рассматривать заявки могут только сотрудники."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Укажите причину отказа: её увидит заявитель."), field="reason")
    with transaction.atomic():
        request = _decide(request, ContractRequest.Status.REFUSED, by, reason)
        _tell(
            request,
            _("В добавлении договора № %(n)s отказано") % {"n": request.number},
            _("Причина: %(r)s") % {"r": reason},
        )
    return request


# --- the curator chat (000 §3.3.1) -----------------------------------------------------


def contract_chat_write(*, user: User, contract: Contract, text: str, files=()):
    """The subscriber writes to the contract's curators. Full rights are needed; the
    message carries its author, so colleagues see who wrote."""
    if not Contract.objects.writable_by(user).filter(pk=contract.pk).exists():
        raise DomainError(_("Писать куратору могут сотрудники организации с полным доступом."))
    text = conversations.clean_text(text, allow_empty=bool(files))
    checked = uploads.check_files(files)
    with conversations.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        if locked.conversation_id is None:
            locked.conversation = conversations.conversation_start()
            locked.save(update_fields=["conversation"])
        message = conversations.message_post(
            conversation=locked.conversation, author=user, text=text, files=checked
        )
    contract.conversation = locked.conversation
    return message


def contract_chat_answer(*, staff: User, contract: Contract, text: str, files=()):
    """A curator answers; everyone who acts for the organisation gets a notice."""
    from kabinet.notifications.models import Kind
    from kabinet.notifications.services import notify

    if not roles.can(staff, roles.APPEALS):
        raise DomainError(_("Отвечать в чате договора могут только сотрудники."))
    text = conversations.clean_text(text, allow_empty=bool(files))
    checked = uploads.check_files(files)
    with conversations.atomic():
        locked = (
            Contract.objects.select_for_update(of=("self",))
            .select_related("party")
            .get(pk=contract.pk)
        )
        if locked.conversation_id is None:
            locked.conversation = conversations.conversation_start()
            locked.save(update_fields=["conversation"])
        message = conversations.message_post(
            conversation=locked.conversation, author=staff, text=text, files=checked
        )
        audit_record(
            actor=staff,
            action="contract_chat_answer",
            target=locked,
            subject=locked.party.user if locked.party_id else None,
            note=text[:300],
        )
        if locked.party_id:
            readers = {locked.party.user}
            readers.update(m.user for m in locked.party.members.filter(removed_at__isnull=True))
            for reader in readers:
                notify(
                    user=reader,
                    kind=Kind.CONTRACT,
                    title=_("Куратор ответил по договору № %(n)s") % {"n": locked.number},
                    text=message.text[:300],
                    url=reverse("contracts:chat", args=[locked.uuid]),
                    dedupe_key=f"contract-chat-{message.pk}-{reader.pk}",
                )
    contract.conversation = locked.conversation
    return message
