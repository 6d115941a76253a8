"""The demo's applications, for whichever kinds the utility takes in:

- a developer (ООО «СтройДом», developer@example.ru) with objects and connection
  applications in every state — a draft half filled in, one just filed, one in work
  with a request for a document waiting, one with the contract signed by the utility
  and its stages, one refused;
- ООО «Тепло Плюс» (buh@teplo-plus.example.ru) with a request to conclude a heat supply
  contract (000 §3.4);
- where service requests are taken (003 §3.5), АО «Городские бани» (login 000456) with
  one filed request;
- the calculator's rate tables.
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kabinet.applications.kinds import enabled_kinds
from kabinet.applications.services import card, drafts, objects, workflow
from kabinet.applications.services.results import contract_attach
from kabinet.core.pdf import render_pdf
from kabinet.core.utility import get_utility
from kabinet.identity.models import Party, User

DEVELOPER_EMAIL = "developer@example.ru"
DEMO_PASSWORD = "Kabinet-2026"

LEGAL = {
    "org_name": "ООО «СтройДом»",
    "inn": "7814025670",
    "kpp": "781401001",
    "ogrn": "1027800001239",
    "head_name": "Кузнецов Павел Андреевич",
    "head_position": "Генеральный директор",
    "registered_address": "197022, г. Санкт-Петербург, ул. Профессора Попова, д. 23",
    "actual_address": "",
    "phone": "+7 921 000-00-07",
    "email": DEVELOPER_EMAIL,
}

ELECTRIC = {
    "objects": [
        ("Жилой дом № 3", "г. Томск, ул. Новая, д. 3", "70:21:0100024:15"),
        ("Магазин «Продукты»", "г. Томск, пр. Ленина, д. 120", "70:21:0100030:7"),
        ("Склад", "Томский р-н, с. Зоркальцево, ул. Полевая, 1", ""),
    ],
    "technical": {
        "max_power": "120",
        "existing_power": "",
        "voltage": "0.4",
        "reliability": "3",
        "points": "1",
        "load_character": "production",
        "schedule": "II квартал 2027 года",
    },
    "kind": "tc_electric",
    "category": "upto150",
    "docs": ("plan", "title"),
    "term": "4 месяца",
}
HEAT = {
    "objects": [
        (
            "Жилой комплекс «Северный», корпус 1",
            "г. Санкт-Петербург, пр. Просвещения, уч. 5",
            "78:36:0005321:12",
        ),
        (
            "Детский сад на 120 мест",
            "г. Санкт-Петербург, ул. Композиторов, уч. 9",
            "78:36:0005330:4",
        ),
        ("Спортивный комплекс", "г. Санкт-Петербург, Выборгское ш., уч. 2", ""),
    ],
    "technical": {
        "load_heating": "0,85",
        "load_ventilation": "0,12",
        "load_hot_water": "0,31",
        "carrier": "water",
        "floors": "17",
        "connect_date": "IV квартал 2027 года",
    },
    "kind": "tc_heat",
    "category": "upto15",
    "docs": ("situation_plan", "title", "load_calc", "constituent"),
    "term": "18 месяцев",
}


def _pdf(name="документ.pdf"):
    from kabinet.appeals.demo import DEMO_PDF

    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


def _developer() -> User:
    user = User.objects.filter(email=DEVELOPER_EMAIL).first()
    if user is not None:
        return user
    user = User(
        email=DEVELOPER_EMAIL,
        email_verified=True,
        display_name="ООО «СтройДом»",
        status=User.Status.ACTIVE,
        signup_mode=User.SignupMode.EMAIL,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    Party.objects.create(
        user=user,
        kind=Party.Kind.LEGAL,
        org_name=LEGAL["org_name"],
        inn=LEGAL["inn"],
        kpp=LEGAL["kpp"],
        ogrn=LEGAL["ogrn"],
        email=DEVELOPER_EMAIL,
    )
    return user


def _connection(spec, developer, operator, plan):
    made = [
        objects.connection_object_create(
            user=developer, name=name, address=address, cadastral_number=cadastral
        )
        for name, address, cadastral in plan["objects"]
    ]

    def application(obj, reason="first"):
        app = drafts.application_start(
            user=developer, kind=spec.code, applicant_kind="legal", category=plan["category"]
        )
        steps = {
            "requisites": {**LEGAL, "reason": reason},
            "object": {"connection_object": str(obj.uuid), "name": "", "address": ""},
            "technical": plan["technical"],
        }
        for slug, data in steps.items():
            form, passed = drafts.application_save_step(
                application=app, user=developer, slug=slug, data=data, check=True
            )
            assert passed, form.errors
        for code in plan["docs"]:
            drafts.application_upload(
                application=app, user=developer, doc_type=code, files=[_pdf(f"{code}.pdf")]
            )
        return app

    def filed(obj, reason="first"):
        return drafts.application_submit(application=application(obj, reason), user=developer)

    # A draft stopped at the technical step.
    draft = drafts.application_start(
        user=developer, kind=spec.code, applicant_kind="legal", category=plan["category"]
    )
    drafts.application_save_step(
        application=draft,
        user=developer,
        slug="requisites",
        data={**LEGAL, "reason": "first"},
        check=True,
    )
    drafts.application_save_step(
        application=draft,
        user=developer,
        slug="object",
        data={"connection_object": str(made[2].uuid)},
        check=True,
    )

    done = filed(made[0])
    workflow.application_transition(application=done, to="accepted", by=operator)
    workflow.application_transition(application=done, to="in_work", by=operator)
    body = render_pdf(
        "applications/demo_contract",
        {
            "number": f"ТП-{done.number}",
            "date": timezone.localdate().strftime("%d.%m.%Y"),
            "utility": get_utility().full_name,
            "applicant": LEGAL["org_name"],
            "object": made[0].name,
            "address": made[0].address,
            "application": done.number,
            "term": plan["term"],
        },
    )
    contract_attach(
        staff=operator,
        application=done,
        number=f"ТП-{done.number}",
        date=timezone.localdate(),
        pdf_upload=SimpleUploadedFile("договор.pdf", body, content_type="application/pdf"),
    )

    in_work = filed(made[1], reason="increase" if spec.code == "tc_heat" else "first")
    workflow.application_transition(application=in_work, to="accepted", by=operator)
    workflow.application_transition(application=in_work, to="in_work", by=operator)
    card.info_request_ask(
        staff=operator,
        application=in_work,
        text="Приложите, пожалуйста, подписанный руководителем расчёт нагрузки "
        "и схему размещения объекта на участке.",
    )
    card.application_write(
        user=developer,
        application=in_work,
        text="Подскажите, можно ли прислать схему в формате DWG?",
    )
    card.application_write(
        user=operator,
        application=in_work,
        text="Лучше в PDF: так её увидят все, кто рассматривает заявку.",
    )

    filed(made[2])

    refused = filed(made[1])
    workflow.application_transition(
        application=refused,
        to="refused",
        by=operator,
        comment="Заявка на этот объект уже рассматривается (см. заявку "
        f"№ {in_work.number}); повторная заявка не нужна.",
    )


def _contract_request(spec, org):
    app = drafts.application_start(
        user=org, kind=spec.code, applicant_kind="legal", reason="permanent", category="other"
    )
    form, passed = drafts.application_save_step(
        application=app,
        user=org,
        slug="responsible",
        data={
            "org_name": "ООО «Тепло Плюс»",
            "inn": "",
            "responsible_name": "Соколова Мария Ивановна",
            "responsible_position": "Главный бухгалтер",
            "phone": "+7 921 000-00-05",
            "email": "buh@teplo-plus.example.ru",
            "object_name": "Офисное здание",
            "object_address": "г. Санкт-Петербург, ул. Садовая, д. 40",
            "load": "0,2",
        },
        check=True,
    )
    assert passed, form.errors
    for doc in drafts.documents_missing(app):
        drafts.application_upload(
            application=app, user=org, doc_type=doc.code, files=[_pdf(f"{doc.code}.pdf")]
        )
    drafts.application_submit(application=app, user=org)


def _service_request(holder):
    from kabinet.contracts.models import Contract

    contract = Contract.objects.writable_by(holder).order_by("number").first()
    if contract is None:
        return
    day = timezone.localdate() + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    form, app = drafts.service_request_file(
        user=holder,
        data={
            "reason": "meter_inspection",
            "contract": str(contract.uuid),
            "unit": "",
            "visit_date": day.isoformat(),
            "visit_time": "09-12",
            "contact_name": "Каримов Алишер",
            "contact_phone": "+998 71 000-00-01",
            "comment": "Прошу снять контрольные показания после замены расходомера.",
        },
    )
    assert app is not None, form.errors


def build_demo_applications(*, org, baths, operator) -> None:
    kinds = {k.code: k for k in enabled_kinds()}
    if not kinds:
        return
    from kabinet.applications.calculator import demo_rate_tables

    demo_rate_tables(get_utility())
    if "tc_electric" in kinds or "tc_heat" in kinds:
        developer = _developer()
        if "tc_electric" in kinds:
            _connection(kinds["tc_electric"], developer, operator, ELECTRIC)
        if "tc_heat" in kinds:
            _connection(kinds["tc_heat"], developer, operator, HEAT)
    if "contract" in kinds:
        _contract_request(kinds["contract"], org)
    if "service" in kinds and baths is not None:
        _service_request(baths)
