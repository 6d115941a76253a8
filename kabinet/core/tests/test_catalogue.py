"""The English catalogue is complete, and choosing English switches the pages to it."""

import ast
from pathlib import Path

import pytest

PO = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries(text):
    """Yield (msgid, msgstrs, flags) for each live entry of a .po file."""
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        fields, flags, key = {}, set(), None
        for line in lines:
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[key] += ast.literal_eval(line)
            else:
                key, _, value = line.partition(" ")
                fields[key] = ast.literal_eval(value)
        msgstrs = [value for name, value in fields.items() if name.startswith("msgstr")]
        yield fields["msgid"], msgstrs, flags


def _catalogue():
    return list(_entries(PO.read_text(encoding="utf-8")))


def test_every_entry_is_translated_and_not_fuzzy():
    entries = _catalogue()
    assert len(entries) > 100
    header = [msgstrs[0] for msgid, msgstrs, _ in entries if msgid == ""]
    assert header and "Language: en\n" in header[0]
    untranslated = [msgid for msgid, msgstrs, _ in entries if msgid and not all(msgstrs)]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


@pytest.mark.usefixtures("db")
def test_login_page_in_english_after_choosing_it(client):
    english = {msgid: msgstrs[0] for msgid, msgstrs, _ in _catalogue()}["Вход в личный кабинет"]
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    page = client.get("/login/").content.decode()
    assert english in page
    assert "Вход в личный кабинет" not in page
    assert '<html lang="en">' in page


def test_russian_plurals_follow_russian_grammar():
    """Russian is the source language, but its plural forms come from the ru catalogue."""
    from django.utils import translation
    from django.utils.translation import ngettext

    with translation.override("ru"):
        words = [ngettext("%(n)d минуту", "%(n)d минут", n) % {"n": n} for n in (1, 3, 5, 21, 11)]
    assert words == ["1 минуту", "3 минуты", "5 минут", "21 минуту", "11 минут"]
