"""Печатные документы: Typst renders Cyrillic with its own fonts, and context text is
printed as text, never run as Typst markup."""

import io
import struct
from datetime import date
from decimal import Decimal

import pytest
import typst
from django.template import TemplateDoesNotExist
from pypdf import PdfReader

from kabinet.core.pdf import render_pdf, render_png


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_fonts(pdf: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return fonts


CONTEXT = {
    "title": "Квитанция за ноябрь 2026 года",
    "requisites": [["Лицевой счёт", "000123456"], ["Плательщик", "Щукина Ёлка Юрьевна"]],
    "rows": [["Отопление", "1 234,56 ₽"], ["Горячая вода", "99,00 ₽"]],
}


def test_cyrillic_text_survives_into_the_pdf():
    pdf = render_pdf("core/_smoke", CONTEXT)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in [
        "Квитанция за ноябрь 2026 года",
        "Лицевой счёт",
        "Щукина Ёлка Юрьевна",
        "Отопление",
        "1 234,56 ₽",
        "Горячая вода",
    ]:
        assert expected in text


def test_only_the_fonts_inside_the_typst_wheel_are_used():
    fonts = pdf_fonts(render_pdf("core/_smoke", CONTEXT))
    assert fonts
    assert all(f.startswith(("LibertinusSerif", "NewCM")) for f in fonts), fonts


@pytest.mark.parametrize(
    "hostile",
    [
        '#panic("ломаем")',
        '#read("/settings.py")',
        "*жирный* _курсив_ $x^2$ <метка> @ссылка",
        '"] #sys.inputs [',
        "\\ ` // /* ~ = ==",
    ],
)
def test_context_text_is_printed_as_it_is_never_run(hostile):
    text = pdf_text(render_pdf("core/_smoke", {**CONTEXT, "title": hostile}))
    # Typst's PDF text keeps the characters; spacing may differ around symbols.
    assert "".join(hostile.split()) in "".join(text.split())


def test_decimal_date_and_lazy_values_reach_the_template_as_text():
    from django.utils.translation import gettext_lazy

    context = {
        "title": gettext_lazy("Справка"),
        "rows": [["Пени", Decimal("12.50")], ["Период", date(2026, 11, 1)]],
    }
    text = pdf_text(render_pdf("core/_smoke", context))
    assert "Справка" in text
    assert "12.50" in text
    assert "2026-11-01" in text


def test_png_is_the_first_page_of_a_longer_document():
    png = render_png("core/_smoke", {**CONTEXT, "rows": [["строка", "1"]] * 200}, ppi=72)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert (width, height) == (595, 842)  # one A4 page at 72 pixels per inch


def test_unknown_and_malformed_template_names_are_refused():
    with pytest.raises(TemplateDoesNotExist):
        render_pdf("core/no_such_template", {})
    for name in ["../settings", "core/typst/base", "/etc/passwd", "core/_smoke.typ", "core"]:
        with pytest.raises(ValueError):
            render_pdf(name, {})


def test_a_template_error_says_where():
    with pytest.raises(typst.TypstError) as exc:
        render_pdf("core/_smoke", {})  # no title
    assert "title" in exc.value.message
    assert "_smoke.typ" in exc.value.diagnostic
