"""The utility's profile: everything that differs between the portals of the seeds.

One deployment serves one utility, named by ``KABINET_UTILITY``. The five profiles
below reproduce the five seed portals; a real utility adds its own profile here (or
starts from the closest one). Requisites are the demo's: every registry number passes
its check digits, but they are not the companies' real accounts.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Password policies (kabinet.identity.passwords): "nist" — NIST 800-63B / OWASP ASVS,
# "latin_complex" — seed 000, "letters_digits" — seeds 001 and 004.
PASSWORD_POLICIES = ("nist", "latin_complex", "letters_digits")

# Sign-up modes: "email" (000, 002), "phone" (004), "issued" — access issued by staff
# with an activation link (001), "contract" — login is the contract number and the first
# password is the ИНН (003).
SIGNUP_MODES = ("email", "phone", "issued", "contract")

# Sign-in identifiers and recovery methods the login and recovery pages offer.
LOGIN_METHODS = ("email", "phone", "login", "inn", "contract")
# "forgot_login": a forgotten login is mailed to the e-mail (002 §4.2).
RECOVERY_METHODS = ("email_code", "sms_code", "inn", "forgot_login")

# Темы обращений. Stored on the appeal as these Russian words (gettext_noop: translated
# when shown), so a topic renamed in a profile later leaves old appeals as they were.
# What a customer cannot change themselves (000 §2.2.2, §2.3.1) is an appeal of its own
# topic; kabinet.appeals offers these two even where a profile leaves them out.
APPEAL_TOPIC_PERSONAL_DATA = gettext_noop("Изменение персональных данных")
APPEAL_TOPIC_ACCOUNT_LINK = gettext_noop("Привязка лицевого счёта через поддержку")
APPEAL_TOPIC_OTHER = gettext_noop("Прочее")
# 004 «Выберите тему обращения».
APPEAL_TOPICS_004 = (
    gettext_noop("Вопросы по работе Личного кабинета потребителя"),
    gettext_noop("Вопросы по работе Личного кабинета ИСУ"),
    gettext_noop("Замена/опломбировка ПУ"),
    gettext_noop("Предоставление рассрочки"),
    gettext_noop("Бумажная квитанция"),
    APPEAL_TOPIC_PERSONAL_DATA,
    APPEAL_TOPIC_ACCOUNT_LINK,
    APPEAL_TOPIC_OTHER,
)
# 000 lists no topics by name; these are what it sends to «мои обращения» (§2.2.1,
# §2.2.2, §2.2.4, §2.3.1, §3.3.1) and its heat-supply questions.
APPEAL_TOPICS_000 = (
    APPEAL_TOPIC_PERSONAL_DATA,
    APPEAL_TOPIC_ACCOUNT_LINK,
    gettext_noop("Добавление адреса для отключений ГВС"),
    gettext_noop("Регистрация не в том личном кабинете"),
    gettext_noop("Начисления и оплата"),
    gettext_noop("Качество отопления и горячего водоснабжения"),
    APPEAL_TOPIC_OTHER,
)


@dataclass(frozen=True)
class Requisites:
    """Реквизиты: printed on receipts, invoices and the personal-data policy."""

    inn: str
    kpp: str
    ogrn: str
    legal_address: str
    bank_name: str
    bik: str
    settlement_account: str  # расчётный счёт
    correspondent_account: str  # корреспондентский счёт


@dataclass(frozen=True)
class UtilityProfile:
    """Профиль организации: names, requisites, contacts and the rules of its portal."""

    code: str
    short_name: str
    full_name: str
    portal_title: str  # translatable: shown in the header of every page
    kind: str  # "heat" or "electricity"
    requisites: Requisites
    support_phone: str
    support_email: str
    signup_modes: frozenset[str]
    login_methods: frozenset[str]
    recovery_methods: frozenset[str]
    password_policy: str = "nist"
    idle_timeout_minutes: int = 30
    absolute_timeout_hours: int = 12
    activation_link_days: int = 5
    # Показания принимаются с readings_window_start по readings_window_end число месяца.
    readings_window_start: int = 15
    readings_window_end: int = 25
    party_kinds: frozenset[str] = frozenset({"person", "ip", "legal"})
    # "ru": ИНН 10/12 digits with check digits; "uz": Uzbek ИНН (СТИР), 9 digits (003).
    tax_id_country: str = "ru"
    personal_data_policy_version: str = "2026-01"
    remember_me: bool = True
    # Лицевой счёт: how many digits its number has, and what proves it is yours when
    # linking it: "last_payment" (000 §2.2.6: amount and date of the last payment) or
    # "activation_code" (004: the code printed on the receipt, valid three months).
    # "meter_number" (002 §4.7.2) adds a contract's meters by the contract number and the
    # number of any one of its meters; the number field is then labelled «Номер договора».
    account_number_digits: int = 9
    account_link_proof: str = "last_payment"
    account_link_tries: int = 5
    # Заявка на привязку лицевого счёта (000 §2.3.1): days staff have to decide on it,
    # counted from the day it was filed, as the appeals' deadlines are.
    account_link_request_days: int = 10
    # How a reading is typed: "plain" (004: digits, a comma only where the meter has
    # decimals, no leading zeros) or "fixed_2" (003: XXXXXX,XX, always two decimals).
    reading_format: str = "plain"
    # Пени: a share of the overdue debt per day. 1/300 of the Bank of Russia key rate
    # (21 %) is 0.0007; the law's 1/130 after the 90th day is left to billing systems.
    penalty_rate_per_day: Decimal = Decimal("0.0007")
    # 000 §2.1: a person signing up picks their house from the supply zone's registry.
    signup_asks_house: bool = False
    # 002 §4.1: the customer makes up a login at sign-up by e-mail.
    signup_chooses_login: bool = False
    totp_available: bool = True
    # Обращения: the topics offered, and the days to register (10) and to answer (30)
    # an appeal, counted from the day it was sent (000 §2.2.5).
    appeal_topics: tuple[str, ...] = APPEAL_TOPICS_004
    appeal_register_days: int = 10
    appeal_answer_days: int = 30
    # Кабинет абонента (000 §3, 001, 003, 004): contracts at all; sign-up with a
    # concluded contract's number, date and ИНН (000 §3.2); adding a contract by ИНН,
    # number and a signed access request that staff approve (004); monthly consumption
    # reports, sent until this day of the month (003 §3.4); normative data (000 §3.3.4).
    contracts: bool = True
    contract_signup: bool = False
    contract_requests: bool = True
    consumption_report_day: int = 25
    consumption_reports: bool = True
    normative_data: bool = False
    # Заявки (000 §3.4, §4; 002 §4.6; 003 §3.5): the kinds taken in —
    # "tc_electric", "tc_heat", "contract", "service" (kabinet.applications.kinds).
    application_kinds: frozenset[str] = frozenset()

    def organisation(self) -> dict[str, str]:
        """The utility as a party to a document (квитанция, акт сверки, счёт-фактура):
        its names and requisites, as plain strings for a PDF template."""
        r = self.requisites
        return {
            "short_name": self.short_name,
            "full_name": self.full_name,
            "inn": r.inn,
            "kpp": r.kpp,
            "ogrn": r.ogrn,
            "legal_address": r.legal_address,
            "bank_name": r.bank_name,
            "bik": r.bik,
            "settlement_account": r.settlement_account,
            "correspondent_account": r.correspondent_account,
        }


PROFILES: dict[str, UtilityProfile] = {
    "tek_spb": UtilityProfile(
        code="tek_spb",
        short_name="ГУП «ТЭК СПб»",
        full_name="Государственное унитарное предприятие «Топливно-энергетический комплекс "
        "Санкт-Петербурга»",
        portal_title=_("Личный кабинет потребителя"),
        kind="heat",
        requisites=Requisites(
            inn="7830001028",
            kpp="783801001",
            ogrn="1027809934569",
            legal_address="190000, г. Санкт-Петербург, ул. Малая Морская, д. 12",
            bank_name="Северо-Западный банк ПАО Сбербанк",
            bik="044030653",
            settlement_account="40702810755000012345",
            correspondent_account="30101810500000000653",
        ),
        support_phone="+7 (812) 000-00-00",
        support_email="lk@tek-spb.example.ru",
        # 000 §2.1, §3.2, §4.2: sign-up by e-mail with a confirmation letter.
        signup_modes=frozenset({"email"}),
        login_methods=frozenset({"email"}),
        recovery_methods=frozenset({"email_code"}),
        # 000 §2.2.3: only Latin letters, at least 6, upper, lower, digit and symbol.
        password_policy="latin_complex",
        signup_asks_house=True,
        appeal_topics=APPEAL_TOPICS_000,
        # 000 §3.2: a subscriber signs up with a concluded contract's number, date and
        # ИНН; 000 §3.3.4: normative-calculation data by object.
        contract_signup=True,
        normative_data=True,
        # 000 §4: the developer's cabinet (heat connection); §3.4: contract requests.
        application_kinds=frozenset({"tc_heat", "contract"}),
    ),
    "gk_kazan": UtilityProfile(
        code="gk_kazan",
        short_name="ОАО «Генерирующая компания»",
        full_name="Открытое акционерное общество «Генерирующая компания»",
        portal_title=_("Личный кабинет потребителя"),
        kind="heat",
        requisites=Requisites(
            inn="1657036630",
            kpp="165701001",
            ogrn="1021602687655",
            legal_address="420021, Республика Татарстан, г. Казань, ул. Тукая, д. 162",
            bank_name="Отделение «Банк Татарстан» № 8610 ПАО Сбербанк",
            bik="049205603",
            settlement_account="40702810255000012345",
            correspondent_account="30101810600000000603",
        ),
        support_phone="+7 (843) 000-00-00",
        support_email="lk@gk-kazan.example.ru",
        # 001 §2: access issued by the branch, activation link from the next day for 5 days.
        signup_modes=frozenset({"issued"}),
        login_methods=frozenset({"login", "inn", "email"}),
        recovery_methods=frozenset({"email_code", "inn", "forgot_login"}),
        # 001 §3: at least 8 characters, Latin letters and digits.
        password_policy="letters_digits",
        activation_link_days=5,
        party_kinds=frozenset({"ip", "legal"}),
    ),
    "gorseti_tomsk": UtilityProfile(
        code="gorseti_tomsk",
        short_name="ООО «Горсети»",
        full_name="Общество с ограниченной ответственностью «Горсети»",
        portal_title=_("Личный кабинет клиента"),
        kind="electricity",
        requisites=Requisites(
            inn="7017081040",
            kpp="701701001",
            ogrn="1027000889013",
            legal_address="634009, г. Томск, ул. Шепеткова, д. 4а",
            bank_name="Томское отделение № 8616 ПАО Сбербанк",
            bik="046902606",
            settlement_account="40702810955000012345",
            correspondent_account="30101810800000000606",
        ),
        support_phone="+7 (3822) 00-00-00",
        support_email="lk@gorseti-tomsk.example.ru",
        # 002 §4.1–4.3: sign-up by login and e-mail, login and password recovery by e-mail.
        signup_modes=frozenset({"email"}),
        login_methods=frozenset({"email", "login"}),
        recovery_methods=frozenset({"email_code", "forgot_login"}),
        signup_chooses_login=True,
        # 002 §4.7.2: a meter is added by the contract number and the meter's number; the
        # contract's other meters come with it.
        account_link_proof="meter_number",
        # 002 describes no supply contracts: connection applications and meters only.
        contracts=False,
        # 002 §4.6: technological connection, the calculator and the status check.
        application_kinds=frozenset({"tc_electric"}),
    ),
    "tashkent_heat": UtilityProfile(
        code="tashkent_heat",
        short_name="ГУП «Toshissiqquvvati»",
        full_name="Государственное унитарное предприятие «Toshissiqquvvati»",
        portal_title=_("Персональный кабинет потребителя"),
        kind="heat",
        requisites=Requisites(
            inn="7838024362",
            kpp="783801001",
            ogrn="1057601456329",
            legal_address="100000, г. Ташкент, ул. Навои, д. 1",
            bank_name="АКБ «Узпромстройбанк»",
            bik="044030653",
            settlement_account="40702810755000012345",
            correspondent_account="30101810500000000653",
        ),
        support_phone="+998 (71) 000-00-00",
        support_email="lk@toshissiqquvvati.example.uz",
        # 003 §2.2: login = contract number (5 characters, leading zeros count), first
        # password = ИНН (9 digits), changed at the first sign-in; 10-minute idle timeout.
        signup_modes=frozenset({"contract"}),
        login_methods=frozenset({"contract"}),
        recovery_methods=frozenset(),
        idle_timeout_minutes=10,
        party_kinds=frozenset({"legal"}),
        tax_id_country="uz",
        # 003 §3: consumption is sent in the format XXXXXX,XX.
        reading_format="fixed_2",
        # 003: the contract-number login is the way in; no other contract is added.
        contract_requests=False,
        # 003 §3.5: service requests with a desired visit date and time.
        application_kinds=frozenset({"service"}),
    ),
    "tgk2": UtilityProfile(
        code="tgk2",
        short_name="ООО «ТГК-2 Энергосбыт»",
        full_name="Общество с ограниченной ответственностью «ТГК-2 Энергосбыт»",
        portal_title=_("Личный кабинет клиента"),
        kind="electricity",
        requisites=Requisites(
            inn="7604201231",
            kpp="760401001",
            ogrn="1057601456329",
            legal_address="150003, г. Ярославль, ул. Пятницкая, д. 6",
            bank_name="Ярославское отделение № 17 ПАО Сбербанк",
            bik="047888670",
            settlement_account="40702810655000012345",
            correspondent_account="30101810500000000670",
        ),
        support_phone="8 (800) 000-00-00",
        support_email="lk@tgk2-energo.example.ru",
        # 004: sign-up by phone (+7) with an SMS code; recovery by SMS.
        signup_modes=frozenset({"phone"}),
        account_link_proof="activation_code",
        login_methods=frozenset({"phone", "email"}),
        recovery_methods=frozenset({"sms_code", "email_code"}),
        password_policy="letters_digits",
    ),
}
