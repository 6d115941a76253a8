"""QR-код для оплаты квитанции по ГОСТ Р 56042-2014.

The payer points a banking app at the code on the receipt and gets a payment order
filled in: the utility's name and bank requisites, the amount, the purpose, the
personal account (лицевой счёт) and the period. The code holds one line of text::

    ST00012|Name=ГУП «ТЭК СПб»|PersonalAcc=40702810755000012345|BankName=...|BIC=...
    |CorrespAcc=...|PayeeINN=...|KPP=...|Sum=123456|Purpose=...|PersAcc=...|PaymPeriod=112026

``ST`` marks the format, ``0001`` the version, ``2`` the encoding (UTF-8); the five
required fields come first, then the optional ones that have a value, as
``Key=Value`` separated by ``|``.

How values are written, so any customer text gives a code a bank can read:

* Text (names, purpose, address, лицевой счёт) is sanitised: ``|`` becomes ``/`` (the
  standard lets a code pick another separator, but banking apps expect ``|``), every
  run of whitespace (line breaks too) becomes one space, other control characters
  are dropped, the value is trimmed and cut to the standard's maximum length (Name
  160, BankName 45, Purpose 210). A field left empty is left out; Name and BankName
  may not be empty. The names are for the payer's eyes: the bank finds the payee by
  the account, БИК and ИНН, so cutting a long bank name loses nothing.
* Bank requisites are checked, not mended: PersonalAcc 20 digits, BIC 9 digits,
  CorrespAcc 20 digits or ``0`` (no correspondent account), PayeeINN 10 or 12 digits,
  KPP 9 digits or capitals; a wrong one raises ``ValueError``.
* Sum is in kopecks: the amount in roubles (Decimal), rounded half up. No amount (or
  zero) leaves Sum out, so the payer types it in the app; a negative one is an error.
* PaymPeriod is the period as MMYYYY (``112026`` for November 2026).
* TechCode ``02`` is the standard's code for «Коммунальные услуги, ЖКХ».
"""

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import segno

from kabinet.core.money import to_kopecks
from kabinet.core.utility_profiles import UtilityProfile

HEADER = "ST00012"
SEPARATOR = "|"
TECH_CODE_UTILITIES = "02"  # «Коммунальные услуги, ЖКХ»

# Maximum lengths of the text fields in the standard.
MAX_LENGTH = {"Name": 160, "BankName": 45, "Purpose": 210}

_ACCOUNT = re.compile(r"\d{20}")
_BIC = re.compile(r"\d{9}")
_INN = re.compile(r"\d{10}|\d{12}")
_KPP = re.compile(r"[0-9A-Z]{9}")
_TECH_CODE = re.compile(r"0[1-9]|1[0-5]")


@dataclass(frozen=True)
class PaymentDetails:
    """Реквизиты платежа: who is paid (the utility and its bank), how much and for what.

    ``amount`` is roubles as Decimal (None: the payer enters it); ``period`` is the
    first day of the month paid for; ``pers_acc`` is the payer's лицевой счёт.
    """

    name: str  # наименование получателя
    personal_acc: str  # расчётный счёт получателя
    bank_name: str
    bic: str
    corresp_acc: str  # корреспондентский счёт банка, "0" if there is none
    payee_inn: str = ""
    kpp: str = ""
    amount: Decimal | None = None
    purpose: str = ""  # назначение платежа
    pers_acc: str = ""  # лицевой счёт плательщика
    period: date | None = None
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    payer_address: str = ""
    category: str = ""  # вид платежа
    tech_code: str = ""  # see TECH_CODE_UTILITIES


def clean(value: str, max_length: int | None = None) -> str:
    """A text value as the code carries it (see the module's docstring)."""
    value = value.replace(SEPARATOR, "/")
    value = "".join(ch for ch in value if ch.isspace() or unicodedata.category(ch) != "Cc")
    value = " ".join(value.split())
    if max_length is not None:
        value = value[:max_length].rstrip()
    return value


def _checked(key: str, value: str, pattern: re.Pattern, what: str) -> str:
    value = value.strip()
    if not pattern.fullmatch(value):
        raise ValueError(f"{key}: {what}, not {value!r}")
    return value


def payment_fields(details: PaymentDetails) -> list[tuple[str, str]]:
    """The (key, value) pairs of the code, in order, empty optional fields left out."""
    d = details
    name = clean(d.name, MAX_LENGTH["Name"])
    bank_name = clean(d.bank_name, MAX_LENGTH["BankName"])
    if not name or not bank_name:
        raise ValueError("Name and BankName of the payee may not be empty")
    corresp_acc = d.corresp_acc.strip()
    if corresp_acc != "0":
        corresp_acc = _checked("CorrespAcc", corresp_acc, _ACCOUNT, "20 digits or 0")
    fields = [
        ("Name", name),
        ("PersonalAcc", _checked("PersonalAcc", d.personal_acc, _ACCOUNT, "20 digits")),
        ("BankName", bank_name),
        ("BIC", _checked("BIC", d.bic, _BIC, "9 digits")),
        ("CorrespAcc", corresp_acc),
    ]
    if d.payee_inn.strip():
        fields.append(("PayeeINN", _checked("PayeeINN", d.payee_inn, _INN, "10 or 12 digits")))
    if d.kpp.strip():
        fields.append(("KPP", _checked("KPP", d.kpp, _KPP, "9 digits or capitals")))
    if d.amount is not None:
        if not isinstance(d.amount, Decimal):
            # An int could be roubles or kopecks; Decimal roubles leave no doubt.
            raise TypeError(f"amount is roubles as Decimal, not {type(d.amount).__name__}")
        kopecks = to_kopecks(d.amount)
        if not 0 <= kopecks < 10**18:
            raise ValueError(f"Sum is 0 to 18 digits of kopecks, not {d.amount}")
        if kopecks:
            fields.append(("Sum", str(kopecks)))
    text = [
        ("Purpose", clean(d.purpose, MAX_LENGTH["Purpose"])),
        ("PersAcc", clean(d.pers_acc)),
        ("LastName", clean(d.last_name)),
        ("FirstName", clean(d.first_name)),
        ("MiddleName", clean(d.middle_name)),
        ("PayerAddress", clean(d.payer_address)),
    ]
    fields += [(key, value) for key, value in text if value]
    if d.period is not None:
        if d.period.day != 1:
            raise ValueError(f"PaymPeriod: a period is the first day of its month, not {d.period}")
        fields.append(("PaymPeriod", f"{d.period.month:02d}{d.period.year:04d}"))
    if category := clean(d.category):
        fields.append(("Category", category))
    if d.tech_code:
        fields.append(("TechCode", _checked("TechCode", d.tech_code, _TECH_CODE, "01 to 15")))
    return fields


def payment_string(details: PaymentDetails) -> str:
    """The text of the payment QR code: ``ST00012|Name=...|PersonalAcc=...|...``."""
    return SEPARATOR.join([HEADER, *(f"{key}={value}" for key, value in payment_fields(details))])


def qr_svg(details: PaymentDetails, *, scale: int = 4) -> bytes:
    """The payment QR code as SVG, for the receipt (``svg-image(data.qr)`` in Typst).

    Byte mode with UTF-8 bytes, as ST00012 promises, and no ECI marker, which some
    banking apps do not read; segno left alone would store Cyrillic-only text in its
    Kanji mode. Error correction M, the quiet zone of four modules around it.
    """
    code = segno.make(
        payment_string(details),
        error="m",
        boost_error=False,
        mode="byte",
        encoding="utf-8",
        micro=False,
    )
    out = io.BytesIO()
    code.save(out, kind="svg", scale=scale)
    return out.getvalue()


def details_for(
    profile: UtilityProfile,
    *,
    amount: Decimal | None,
    purpose: str,
    pers_acc: str,
    period: date | None,
) -> PaymentDetails:
    """Payment to the utility of ``profile`` (``get_utility()``) for one лицевой счёт.

    The short name goes into Name: it is what the payer recognises in the bank's app,
    and it keeps the code small enough to scan from paper. Payer's name and address,
    when a receipt shows them, are added with ``dataclasses.replace``.
    """
    r = profile.requisites
    return PaymentDetails(
        name=profile.short_name,
        personal_acc=r.settlement_account,
        bank_name=r.bank_name,
        bic=r.bik,
        corresp_acc=r.correspondent_account or "0",
        payee_inn=r.inn,
        kpp=r.kpp,
        amount=amount,
        purpose=purpose,
        pers_acc=pers_acc,
        period=period,
        tech_code=TECH_CODE_UTILITIES,
    )
