"""The demo's appeals: the resident has one answered appeal whose answer is still
unread, with a file each way, and one new appeal."""

from django.core.files.uploadedfile import SimpleUploadedFile

from kabinet.appeals import services
from kabinet.core.utility_profiles import APPEAL_TOPIC_OTHER, APPEAL_TOPIC_PERSONAL_DATA
from kabinet.customer_accounts.models import PersonalAccount

# A one-page PDF the demo attaches (any real PDF viewer opens it).
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def build_demo_appeals(*, resident, operator) -> None:
    account = PersonalAccount.objects.filter(owner=resident).order_by("number").first()
    answered = services.appeal_open(
        user=resident,
        topic=APPEAL_TOPIC_OTHER,
        account=account,
        about="" if account else "Лицевой счёт",
        text=(
            "Здравствуйте! В квитанции за прошлый месяц отопление начислено по нормативу, "
            "хотя показания я передала вовремя. Прошу сделать перерасчёт. Скан с "
            "показаниями прилагаю."
        ),
        files=[SimpleUploadedFile("показания.pdf", DEMO_PDF)],
    )
    services.appeal_answer(
        staff=operator,
        appeal=answered,
        text=(
            "Здравствуйте, Анна Сергеевна! Показания получены, перерасчёт сделан: он будет "
            "в квитанции за текущий месяц. Акт перерасчёта во вложении."
        ),
        files=[SimpleUploadedFile("акт-перерасчёта.pdf", DEMO_PDF)],
    )
    services.appeal_open(
        user=resident,
        topic=APPEAL_TOPIC_PERSONAL_DATA,
        about="Личный кабинет",
        text="Прошу исправить отчество в профиле: «Сергеевна», а не «Сергевна».",
        answer_by_email=True,
        email=resident.email or "",
    )
