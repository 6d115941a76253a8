"""Builders of applications for tests: drafts filled step by step through the real
services, and filed applications."""

from django.core.files.uploadedfile import SimpleUploadedFile

from kabinet.applications.services import drafts

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# What a person types into a ≤ 15 кВт connection application (002 §4.6.1).
PERSON_REQUISITES = {
    "reason": "first",
    "last_name": "Петрова",
    "first_name": "Анна",
    "middle_name": "Сергеевна",
    "passport": "69 04 123456",
    "passport_issued": "ОВД Кировского района г. Томска, 01.02.2010, 700-001",
    "registered_address": "634009, г. Томск, ул. Ленина, д. 1, кв. 2",
    "actual_address": "",
    "phone": "+7 913 000-00-01",
    "email": "petrova@example.ru",
}
NEW_OBJECT = {
    "connection_object": "",
    "name": "Садовый дом",
    "address": "Томская обл., СНТ «Рассвет», уч. 15",
    "cadastral_number": "70:14:0100024:15",
}
TECHNICAL_15 = {
    "max_power": "15",
    "existing_power": "",
    "voltage": "0.23",
    "reliability": "3",
    "points": "1",
    "load_character": "household",
    "schedule": "IV квартал 2027 года",
}


def pdf_upload(name="документ.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def draft(user, *, kind="tc_electric", applicant_kind="person", category="household15", **kw):
    return drafts.application_start(
        user=user, kind=kind, applicant_kind=applicant_kind, category=category, **kw
    )


def filled_draft(user):
    """A ≤ 15 кВт connection application of a person with every step filled and the
    required documents attached: ready to file. Needs KABINET_UTILITY=gorseti_tomsk."""
    app = draft(user)
    for slug, data in (
        ("requisites", PERSON_REQUISITES),
        ("object", NEW_OBJECT),
        ("technical", TECHNICAL_15),
    ):
        form, passed = drafts.application_save_step(
            application=app, user=user, slug=slug, data=data, check=True
        )
        assert passed, form.errors
    for doc in drafts.documents_missing(app):
        drafts.application_upload(
            application=app, user=user, doc_type=doc.code, files=[pdf_upload()]
        )
    return app


def filed(user):
    """A filed (Зарегистрирована) ≤ 15 кВт connection application."""
    app = filled_draft(user)
    return drafts.application_submit(application=app, user=user)
