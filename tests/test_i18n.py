"""Languages in the URL: English at the root as it always was, Bosnian, Croatian and Serbian (Cyrillic)
under their prefixes, each complete."""

import ast
import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tracker import caching
from tracker.dates import PartialDate

from .factories import InitiativeFactory

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
#: One word of the main menu in each language: proof the page speaks it.
INITIATIVES = {"en": "Initiatives", "bs": "Inicijative", "hr": "Inicijative", "sr": "Иницијативе"}
TIMELINE = {"en": "Timeline", "bs": "Hronologija", "hr": "Kronologija", "sr": "Хронологија"}


@pytest.fixture
def published(seeded):
    """Every kind of public URL of the seeded data, unprefixed, as published so far."""
    from tracker.models import Challenge, FocusArea, Initiative, Organisation, Recommendation, Source, Visit

    urls = ["/", "/initiatives/", "/challenges/", "/recommendations/", "/visits/", "/timeline/", "/sources/",
            "/changes/", "/feed/", "/initiatives.csv", "/challenges.csv", "/recommendations.csv", "/visits.csv"]  # fmt: skip
    for model in (Initiative, Challenge, Recommendation, Visit, Source):
        urls.append(model.objects.published().first().get_absolute_url())
    urls.append(FocusArea.objects.filter(initiatives__published=True).first().get_absolute_url())
    urls.append(Organisation.objects.filter(initiatives__published=True).first().get_absolute_url())
    return urls


def test_every_published_url_answers_in_english_without_a_redirect_whatever_the_browser_says(client, published):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "bs"  # the cookie the old language switcher set
    for url in published:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="bs,hr;q=0.8")
        assert response.status_code == 200, url
        assert response["Content-Language"] == "en", url


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_language_has_every_page_under_its_prefix(client, published, language):
    for url in published:
        response = client.get(f"/{language}{url}")
        assert response.status_code == 200, url
        assert response["Content-Language"] == language, url
    page = client.get(f"/{language}/timeline/").text
    assert f'<html lang="{language}">' in page
    assert TIMELINE[language] in page and INITIATIVES[language] in page


def test_pages_name_their_versions_in_every_language_and_the_switcher_keeps_the_page(client):
    InitiativeFactory(slug="dcb")
    page = client.get("/hr/initiatives/dcb/?x=1").text
    for code, _name in settings.LANGUAGES:
        prefix = "" if code == "en" else f"/{code}"
        assert f'<link rel="alternate" hreflang="{code}" href="http://testserver{prefix}/initiatives/dcb/?x=1">' in page
        assert re.search(rf'<a href="{prefix}/initiatives/dcb/\?x=1" lang="{code}" hreflang="{code}"', page)
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/initiatives/dcb/?x=1">' in page
    assert 'hreflang="hr" aria-current="true">Hrvatski</a>' in page
    assert ">Српски</a>" in page


def test_an_error_page_offers_each_languages_home(client):
    response = client.get("/sr/nowhere/")
    assert response.status_code == 404
    assert '<a href="/bs/" lang="bs"' in response.text and '<html lang="sr">' in response.text


def test_the_admin_follows_the_staff_members_language(client):
    assert client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="hr")["Content-Language"] == "hr"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sr"
    assert client.get("/admin/login/")["Content-Language"] == "sr"


def test_a_remembered_page_or_answer_never_crosses_languages(client):
    InitiativeFactory(status="completed", slug="done")
    for url in ("/initiatives/", "/initiatives/done/", "/"):
        assert "Completed" in client.get(url).text
        assert "Završena" in client.get(f"/bs{url}").text
        assert "Завршена" in client.get(f"/sr{url}").text
        assert "Completed" in client.get(url).text
    english = caching.remember("label", lambda: str(translation.gettext("Status history")))
    with translation.override("hr"):
        assert caching.remember("label", lambda: str(translation.gettext("Status history"))) == "Povijest statusa"
    assert english == "Status history"


def test_sort_choices_are_labelled_in_the_readers_language(client):
    page = client.get("/sr/initiatives/").text
    assert '<option value="-title">Наслов (силазно)</option>' in page and "descending" not in page
    assert '<option value="-title">Title (descending)</option>' in client.get("/initiatives/").text


def test_dates_are_written_in_the_readers_language():
    quarter, month = PartialDate(datetime.date(2026, 4, 1), "quarter"), PartialDate(datetime.date(2025, 9, 1), "month")
    expected = {"en": ("Q2 2026", "Sep 2025"), "bs": ("2. kvartal 2026.", "Sep. 2025"),
                "hr": ("2. tromjesečje 2026.", "Ruj. 2025"), "sr": ("2. квартал 2026.", "Сеп. 2025")}  # fmt: skip
    for language, (quarter_text, month_text) in expected.items():
        with translation.override(language):
            assert (str(quarter), str(month)) == (quarter_text, month_text)


def catalog_entries(path):
    """``(msgid, [msgstr, …], flags)`` of each entry of a .po file but its header."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = block.strip().splitlines()
        flags = " ".join(line for line in lines if line.startswith("#,"))
        strings, key = {}, None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                key = match.group(1)
                strings[key] = ast.literal_eval(match.group(2))
            elif key:
                strings[key] += ast.literal_eval(line.strip())
        if strings.get("msgid"):
            if "msgctxt" in strings:
                flags += " msgctxt"
            entries.append((strings["msgid"], [v for k, v in strings.items() if k.startswith("msgstr")], flags))
    return entries


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_of_the_interface_is_translated_and_none_is_a_guess(language):
    catalog = LOCALE / language / "LC_MESSAGES" / "django.po"
    entries = catalog_entries(catalog)
    assert len(entries) > 400
    assert [msgid for msgid, _strings, flags in entries if "fuzzy" in flags] == []
    assert [msgid for msgid, strings, _flags in entries if not all(strings)] == []
    header = catalog.read_text(encoding="utf-8")
    assert "nplurals=3;" in header
    with translation.override(language):  # the compiled catalog is this one (else: `make messages`)
        stale = [msgid for msgid, strings, flags in entries
                 if len(strings) == 1 and "msgctxt" not in flags and translation.gettext(msgid) != strings[0]]  # fmt: skip
    assert stale == []


def test_every_language_has_the_same_strings():
    msgids = {language: {msgid for msgid, _s, _f in catalog_entries(LOCALE / language / "LC_MESSAGES" / "django.po")}
              for language in TRANSLATED}  # fmt: skip
    assert all(ids == msgids["bs"] for ids in msgids.values())


def test_serbian_is_written_in_cyrillic_but_its_placeholders_and_markup_are_not():
    for msgid, strings, _flags in catalog_entries(LOCALE / "sr" / "LC_MESSAGES" / "django.po"):
        for text in strings:
            assert set(re.findall(r"%\((\w+)\)", text)) == set(re.findall(r"%\((\w+)\)", msgid)), msgid
            assert not re.search(r"[čćšžđČĆŠŽĐ]", text), text


def test_the_english_language_reverse_has_no_prefix():
    with translation.override("en"):
        assert reverse("tracker:home") == "/"
    with translation.override("sr"):
        assert reverse("tracker:initiative-list") == "/sr/initiatives/"
