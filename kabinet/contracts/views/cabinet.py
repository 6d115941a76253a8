"""Кабинет абонента: contracts with their debt, a contract's page, objects, КУУТЭ and
their archive, normative data, adding a contract, the curator chat, and sign-up with a
contract (000 §3, 001, 003, 004)."""

import uuid as uuid_module

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.backoffice import roles
from kabinet.backoffice.views import forbidden
from kabinet.billing.selectors import account_summary
from kabinet.contracts import selectors
from kabinet.contracts.forms import contracts as forms
from kabinet.contracts.models import (
    Contract,
    ContractRequest,
    MeteringUnit,
    NormativeReading,
    SupplyObject,
    UnitReading,
)
from kabinet.contracts.services import cabinet as services
from kabinet.contracts.services import normative as normative_services
from kabinet.core.errors import DomainError
from kabinet.core.exports import Column, Table, export_query, export_response
from kabinet.core.http import client_ip, form_error
from kabinet.core.pdf import render_pdf
from kabinet.core.search import text_contains
from kabinet.core.utility import get_utility
from kabinet.identity.models import Party
from kabinet.identity.services import Client

PAGE_SIZE = 50


def _contracts_on():
    if not get_utility().contracts:
        raise Http404


def _visible(request):
    return Contract.objects.visible_to(request.user)


@login_required
def list_view(request):
    """Договоры (000 §3.3.3, 001): the total debt and each contract's, simple and
    advanced search, a page of contracts at a time."""
    _contracts_on()
    today = timezone.localdate()
    visible = _visible(request)
    form = forms.SearchForm(request.GET or None)
    found = selectors.contract_search(visible, form).select_related("account").order_by("number")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    contracts = list(page.object_list)
    debts = selectors.debts(account_ids=[c.account_id for c in contracts], today=today)
    for c in contracts:
        c.debt, c.penalties = debts.get(c.account_id, (0, 0))
    # Staff see every subscriber's contracts: a sum over all of them means nothing.
    totals = (
        {}
        if request.user.is_staff
        else selectors.debts(account_ids=visible.values("account_id"), today=today)
    )
    parties = (
        []
        if request.user.is_staff
        else list(Party.objects.acting_for(request.user).exclude(kind=Party.Kind.PERSON))
    )
    requests = (
        []
        if request.user.is_staff
        else list(ContractRequest.objects.visible_to(request.user).order_by("-created_at")[:10])
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "contracts/list.html",
        {
            "form": form,
            "page": page,
            "contracts": contracts,
            "found_count": page.paginator.count,
            "total_debt": sum(d for d, _p in totals.values()),
            "total_penalties": sum(p for _d, p in totals.values()),
            "total_count": visible.count() if form.is_bound else page.paginator.count,
            "today": today,
            "parties": parties,
            "requests": requests,
            "page_query": query.urlencode(),
            "profile": get_utility(),
        },
    )


@login_required
def detail_view(request, uuid):
    """Подробнее о договоре (000 §3.3.3, 001, 003 §3.1): its data, debt, payment terms,
    curators, loads, metering points, objects and КУУТЭ, requisites."""
    contract = selectors.contract_for(request.user, uuid)
    objects = list(contract.supply_objects.annotate(unit_count=Count("units")).order_by("name"))
    return render(
        request,
        "contracts/detail.html",
        {
            "contract": contract,
            "summary": account_summary(account=contract.account, today=timezone.localdate()),
            "last_payment": contract.account.payments.order_by("-credited_on", "-id").first(),
            "can_act": selectors.can_act(request.user, contract),
            "terms": list(contract.payment_terms.all()),
            "curators": list(contract.curators.all()),
            "loads": list(contract.loads.select_related("supply_object")),
            "points": list(contract.points.select_related("supply_object", "unit")),
            "objects": objects,
            "units": list(contract.units.select_related("supply_object")),
            "profile": get_utility(),
        },
    )


def _contract_filter(request):
    """The ``?contract=`` of the objects and КУУТЭ lists, if the user may see it."""
    chosen = request.GET.get("contract")
    if not chosen:
        return None
    try:
        chosen = uuid_module.UUID(chosen)
    except ValueError as exc:
        raise Http404 from exc
    return selectors.contract_for(request.user, chosen)


@login_required
def objects_view(request):
    """Объекты теплоснабжения (000 §3.3.4): by contract, name and address, with their
    КУУТЭ and the link to the normative-calculation data."""
    _contracts_on()
    contract = _contract_filter(request)
    objects = SupplyObject.objects.visible_to(request.user).select_related("contract")
    if contract:
        objects = objects.filter(contract=contract)
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        objects = objects.filter(
            Q(text_contains("name", q))
            | Q(text_contains("address", q))
            | Q(text_contains("contract__number", q))
        )
    objects = objects.prefetch_related(
        Prefetch("units", queryset=MeteringUnit.objects.order_by("number"))
    ).order_by("contract__number", "name", "id")
    page = Paginator(objects, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "contracts/objects.html",
        {
            "contract": contract,
            "page": page,
            "q": q,
            "profile": get_utility(),
            "heading": _("Объекты теплоснабжения"),
        },
    )


@login_required
def units_view(request):
    """КУУТЭ (000 §3.3.5): the commercial heat metering units, by contract."""
    _contracts_on()
    contract = _contract_filter(request)
    units = MeteringUnit.objects.visible_to(request.user).select_related(
        "contract", "supply_object"
    )
    if contract:
        units = units.filter(contract=contract)
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        units = units.filter(
            Q(text_contains("number", q))
            | Q(text_contains("devices", q))
            | Q(text_contains("supply_object__name", q))
            | Q(text_contains("supply_object__address", q))
            | Q(text_contains("contract__number", q))
        )
    page = Paginator(units.order_by("contract__number", "number"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "contracts/units.html",
        {"contract": contract, "page": page, "q": q, "heading": _("КУУТЭ")},
    )


@login_required
def unit_view(request, uuid):
    """A КУУТЭ with its readings archive: heat, carrier, hours in and out of service."""
    unit = get_object_or_404(
        MeteringUnit.objects.visible_to(request.user).select_related(
            "contract__account", "supply_object"
        ),
        uuid=uuid,
    )
    readings = list(UnitReading.objects.filter(unit=unit).order_by("-period")[:60])
    table = Table(
        title=_("Архив показаний КУУТЭ %(n)s") % {"n": unit.number},
        subtitle=unit.supply_object.address,
        columns=[
            Column("period", _("Период"), "period"),
            Column("heat", _("Тепловая энергия, Гкал"), "quantity"),
            Column("carrier", _("Масса теплоносителя, т"), "quantity"),
            Column("hours_in", _("Время работы, ч"), "int"),
            Column("hours_out", _("Время простоя, ч"), "int"),
        ],
        rows=[
            {
                "period": r.period,
                "heat": r.heat_gcal,
                "carrier": r.carrier_t,
                "hours_in": r.hours_in_service,
                "hours_out": r.hours_out,
            }
            for r in readings
        ],
    )
    fmt = request.GET.get("format")
    if fmt:
        return export_response(table, fmt, f"kuute-{unit.number}")
    return render(
        request,
        "contracts/unit.html",
        {
            "contract": unit.contract,
            "unit": unit,
            "table": table,
            "export_query": export_query(request),
            "heading": _("КУУТЭ %(n)s") % {"n": unit.number},
        },
    )


@login_required
def normative_view(request, uuid):
    """Сведения для расчёта по нормативам (000 §3.3.4): enter a meter's reading for a
    month (ИПУ of a premises or the building's УУ ОДН) and see the archive."""
    if not get_utility().normative_data:
        raise Http404
    obj = get_object_or_404(
        SupplyObject.objects.visible_to(request.user).select_related("contract__account"),
        uuid=uuid,
    )
    can_act = selectors.can_act(request.user, obj.contract)
    form = forms.NormativeForm(request.POST or None)
    if request.method == "POST":
        if not can_act:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            try:
                normative_services.normative_submit(
                    user=request.user,
                    supply_object=obj,
                    period=d["period"],
                    kind=d["kind"],
                    premises=d["premises"],
                    meter_number=d["meter_number"],
                    value=d["value"],
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Сведения сохранены."))
                return redirect("contracts:normative", uuid=obj.uuid)
    archive = list(
        NormativeReading.objects.filter(supply_object=obj)
        .select_related("submitted_by")
        .order_by("-period", "kind", "premises", "meter_number")[:500]
    )
    return render(
        request,
        "contracts/normative.html",
        {
            "contract": obj.contract,
            "object": obj,
            "form": form,
            "can_act": can_act,
            "archive": archive,
            "heading": _("Сведения для расчёта по нормативам"),
        },
    )


@login_required
def request_new_view(request):
    """Добавление договора (004): ИНН, номер и подписанное заявление; staff decide."""
    profile = get_utility()
    if not profile.contracts or not profile.contract_requests or request.user.is_staff:
        raise Http404
    party = Party.objects.filter(user=request.user).exclude(inn="").first()
    form = forms.ContractRequestForm(
        request.POST or None,
        request.FILES or None,
        initial={"inn": party.inn if party else ""},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.contract_request_create(
                user=request.user, inn=d["inn"], number=d["number"], statement=d["statement"]
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Заявка принята. Когда её рассмотрят, придёт письмо и SMS, а договор "
                    "появится в списке."
                ),
            )
            return redirect("contracts:list")
    return render(
        request,
        "contracts/request_new.html",
        {
            "form": form,
            "requests": ContractRequest.objects.visible_to(request.user).order_by("-created_at")[
                :20
            ],
        },
    )


@login_required
def request_template_view(request):
    """Шаблон заявления на предоставление доступа (004), filled with what we know."""
    profile = get_utility()
    if not profile.contracts or not profile.contract_requests:
        raise Http404
    party = Party.objects.filter(user=request.user).exclude(inn="").first()
    pdf = render_pdf(
        "contracts/access_request",
        {
            "utility": profile.full_name,
            "org_name": party.name if party else "",
            "inn": party.inn if party else "",
            "kpp": party.kpp if party else "",
            "number": request.GET.get("number", "")[:32],
            "email": request.user.email or "",
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="zayavlenie-na-dostup.pdf"'
    return response


@login_required
def chat_view(request, uuid):
    """Чат с куратором договора (000 §3.3.1): write, see who in the organisation wrote
    what, and the curators' answers."""
    contract = selectors.contract_for(request.user, uuid)
    can_act = selectors.can_act(request.user, contract)
    form = forms.ChatForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if request.user.is_staff:
            # Answering for the utility is the appeals desk's work (roles.py).
            if not roles.can(request.user, roles.APPEALS):
                return forbidden(request, roles.APPEALS)
            writer = services.contract_chat_answer
            kwargs = {"staff": request.user}
        else:
            writer = services.contract_chat_write
            kwargs = {"user": request.user}
        if form.is_valid():
            try:
                writer(
                    contract=contract,
                    text=form.cleaned_data["text"],
                    files=form.cleaned_data["files"],
                    **kwargs,
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Сообщение отправлено."))
                return redirect("contracts:chat", uuid=contract.uuid)
    conversation = []
    if contract.conversation_id:
        conversation = list(
            contract.conversation.messages.select_related("author").prefetch_related("attachments")
        )
        if request.method == "GET":
            from kabinet.appeals import conversations

            conversations.conversation_read(conversation=contract.conversation, user=request.user)
    return render(
        request,
        "contracts/chat.html",
        {
            "contract": contract,
            "conversation": conversation,
            "curators": list(contract.curators.all()),
            "form": form,
            "can_act": can_act or roles.can(request.user, roles.APPEALS),
            "staff_view": request.user.is_staff,
            "show_authors": True,
            "heading": _("Чат с куратором"),
        },
    )


def signup_view(request):
    """Регистрация абонента по договору (000 §3.2)."""
    profile = get_utility()
    if not profile.contracts or not profile.contract_signup:
        raise Http404
    if request.user.is_authenticated:
        return redirect("contracts:list")
    form = forms.ContractSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.contract_signup(
                number=d["number"],
                signed_on=d["signed_on"],
                inn=d["inn"],
                email=d["email"],
                password=d["password1"],
                consent=d["consent"],
                client=Client(
                    ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
                ),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            return render(request, "contracts/signup_done.html", {"email": d["email"]})
    return render(request, "contracts/signup.html", {"form": form})
