"""Verified provenance: every quote is found in its source's archived text, on every path that writes one."""

import json
from pathlib import Path

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker import quotes
from tracker.models import Challenge, Citation, Initiative, Source, UnsupportedRecords
from tracker.resources import RESOURCES
from tracker.resources.importing import describe_errors, import_dataset

from .factories import ChallengeFactory, SourceFactory, inline_management

FIXTURES_DIR = Path(__file__).resolve().parents[1] / "fixtures"
NATO = "nato-relations-with-bosnia-and-herzegovina"
INVENTED = "NATO promised Bosnia and Herzegovina full membership by 2027."
#: A sentence of NATO's page that no record of the fixtures quotes.
REAL = "The Centre functions as a clearing-house system for coordinating both requests for and offers of assistance"


def official():
    return Source.objects.get(slug=NATO)


def citation_for(source, quote):
    return Citation(source=source, quote=quote, initiative=Initiative(title="Any"))


# Matching


@pytest.mark.parametrize(
    "typed",
    [
        "helps guide the country's reform efforts",  # straight apostrophe for the text's ’
        "the international community’s efforts to end the conflict",  # typographic for the text's '
        "Following the 1992–1995 war in Bosnia and Herzegovina",  # en dash for the text's hyphen
        "pursue a wide-ranging\nand mutually  beneficial programme",  # a line break, two spaces
        "Relations with Bosnia and Herzegovina NATO and Bosnia and Herzegovina pursue",  # across the text's lines
        "NATO and Bosnia\u00a0and Herzegovina pursue",  # a non-breaking space
    ],
)
def test_a_real_quote_typed_differently_is_accepted_and_located(seeded, typed):
    citation = citation_for(official(), typed)
    citation.clean()
    passage = official().text[citation.start : citation.end]
    assert quotes.normalise(passage).text.replace("-", "–") == quotes.normalise(typed).text.replace("-", "–")


def test_a_table_row_matches_whatever_separates_its_cells(seeded):
    source = Source.objects.get(slug="nato-bosnian-partnership-article")
    citation = citation_for(source, "Defense Reform | Enhanced interoperability | Slow legislative approval")
    citation.clean()
    assert (
        source.text[citation.start : citation.end]
        == "Defense Reform\nEnhanced interoperability\nSlow legislative approval"
    )


@pytest.mark.parametrize(
    "wrong",
    [
        INVENTED,
        "nato and bosnia and herzegovina pursue a wide-ranging",  # case is part of the text
        "Bosnia and Herzegovina joined the Partnership for Peace (PfP) programme in 2007",  # a digit
    ],
)
def test_a_quote_that_is_not_in_the_text_is_refused_by_full_clean(seeded, wrong):
    with pytest.raises(ValidationError) as error:
        citation_for(official(), wrong).full_clean()
    assert (
        "is not in the archived text of “Relations with Bosnia and Herzegovina”" in error.value.message_dict["quote"][0]
    )


def test_the_refusal_shows_the_closest_passage_so_a_typo_is_easy_to_mend(seeded):
    typo = "Bosnia and Herzegovina joined the Partnership for Peace (PfP) programme in 2007"
    with pytest.raises(ValidationError) as error:
        citation_for(official(), typo).clean()
    message = error.value.message_dict["quote"][0]
    assert "The closest passage (" in message
    assert "reads: “Bosnia and Herzegovina joined the Partnership for Peace (PfP) programme in 2006" in message


def test_an_invented_quote_cannot_be_saved_from_a_shell_either(seeded):
    challenge = Challenge.objects.first()
    before = Citation.objects.count()
    with pytest.raises(ValidationError):
        Citation.objects.create(source=official(), quote=INVENTED, challenge=challenge)
    assert Citation.objects.count() == before


def fixture_quotes():
    """``[(quote, text of its source)]`` straight from the fixture files: no database needed."""
    texts = {
        item["fields"]["slug"]: item["fields"]["text"]
        for item in json.loads((FIXTURES_DIR / "sources.json").read_text(encoding="utf-8"))
    }
    found = []
    for name in ("initiatives", "challenges", "recommendations", "visits"):
        for item in json.loads((FIXTURES_DIR / f"{name}.json").read_text(encoding="utf-8")):
            if item["model"] == "tracker.citation" and len(item["fields"]["quote"].split()) >= 5:
                found.append((item["fields"]["quote"], texts[item["fields"]["source"][0]]))
    return found


FIXTURE_QUOTES = fixture_quotes()
INVENTED_WORD = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=3, max_size=8).map(lambda letters: f"q{letters}")


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(FIXTURE_QUOTES), st.sampled_from(["change", "add", "remove"]), INVENTED_WORD, st.data())
def test_a_quote_with_a_word_changed_added_or_removed_is_refused(example, mutation, word, data):
    quote, text = example
    tokens = quote.split(" ")
    words = [index for index, token in enumerate(tokens) if any(char.isalnum() for char in token)]  # not "|"
    if mutation == "change":
        tokens[data.draw(st.sampled_from(words))] = word
    elif mutation == "add":
        tokens.insert(data.draw(st.integers(0, len(tokens))), word)
    else:  # an inner word: without its first or last word, a quote is still a true (shorter) extract
        del tokens[data.draw(st.sampled_from(words[1:-1]))]
    mutated = " ".join(tokens)
    assert quotes.locate(quote, text) is not None
    source = Source(title="Source", text=text)
    with pytest.raises(ValidationError) as error:
        citation_for(source, mutated).clean()
    assert "quote" in error.value.message_dict


# Sources' texts


def test_a_new_text_that_loses_a_quote_is_refused_and_nothing_changes(seeded):
    source = official()
    original = source.text
    source.text = "A different document altogether."
    with pytest.raises(ValidationError) as error:
        source.full_clean()
    assert "no longer contains" in error.value.message_dict["text"][0]
    with pytest.raises(ValidationError):
        source.save()
    assert official().text == original


def test_re_extracted_text_keeps_every_citations_offsets_right(seeded):
    source = official()
    source.text = "Archived copy, re-extracted.\n\n" + source.text.replace("\n", "\n\n").replace("’", "'")
    source.full_clean()
    source.save()
    for citation in source.citations.all():
        passage = source.text[citation.start : citation.end]
        assert quotes.locate(citation.quote, passage) == (0, len(passage)), citation.quote


# Sources without text


@pytest.mark.django_db
def test_a_source_without_text_may_be_cited_but_is_marked_not_verifiable(client):
    source = SourceFactory(text="")
    challenge = ChallengeFactory(cited__source=source)
    citation = challenge.citations.get()
    assert not citation.verified

    page = client.get(challenge.get_absolute_url()).content.decode()
    assert "Not verifiable against an archived text" in page
    assert "Unverified evidence" in page
    assert "Unverified evidence" in client.get(reverse("tracker:challenge-list")).content.decode()
    assert "No archived text" in client.get(source.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_record_supported_only_by_unverified_sources_carries_the_badge_and_a_verified_one_does_not(client):
    unverified = SourceFactory(kind=Source.Kind.UNVERIFIED, text="Claims about cooperation.")
    official_source = SourceFactory(text="Facts about cooperation.")
    weak = ChallengeFactory(title="Weakly supported", cited=False)
    Citation.objects.create(source=unverified, quote="Claims about cooperation.", challenge=weak)
    strong = ChallengeFactory(title="Well supported", cited=False)
    Citation.objects.create(source=official_source, quote="Facts about cooperation.", challenge=strong)

    assert "Unverified evidence" in client.get(weak.get_absolute_url()).content.decode()
    assert "Unverified evidence" not in client.get(strong.get_absolute_url()).content.decode()
    rows = client.get(reverse("tracker:challenge-list")).content.decode().split("<tr>")[1:]
    badged = {title: "Unverified evidence" in row for row in rows for title in ("Weakly", "Well") if title in row}
    assert badged == {"Weakly": True, "Well": False}


# A published record keeps its evidence


def single_cited_challenge():
    return next(c for c in Challenge.objects.published() if c.citations.count() == 1)


def test_deleting_a_records_last_public_citation_is_refused_by_any_orm_path(seeded):
    challenge = single_cited_challenge()
    citation = challenge.citations.get()
    with pytest.raises(UnsupportedRecords) as error:
        citation.delete()
    assert f"challenge “{challenge.title}”" in error.value.messages[0]
    with pytest.raises(UnsupportedRecords):
        Citation.objects.filter(pk=citation.pk).delete()
    assert Citation.objects.filter(pk=citation.pk).exists()


def test_a_citation_among_others_can_go_and_a_record_takes_its_citations_with_it(seeded):
    challenge = next(c for c in Challenge.objects.published() if c.citations.count() > 1)
    challenge.citations.first().delete()
    single = single_cited_challenge()
    citation_id = single.citations.get().pk
    single.delete()
    assert not Citation.objects.filter(pk=citation_id).exists()


def test_unpublishing_the_only_source_of_published_records_is_refused(seeded):
    source = official()
    source.published = False
    with pytest.raises(ValidationError) as error:
        source.full_clean()
    assert "without a public citation" in error.value.message_dict["published"][0]
    with pytest.raises(UnsupportedRecords):
        source.save()
    assert official().published


@pytest.fixture
def superuser(client, django_user_model):
    user = django_user_model.objects.create_user("root", password="x", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_the_admin_protects_a_last_citation_and_names_its_record(client, superuser, seeded):
    challenge = single_cited_challenge()
    citation = challenge.citations.get()
    url = reverse("admin:tracker_citation_delete", args=[citation.pk])
    page = client.get(url).content.decode()
    assert f"Challenge “{challenge.title}”: its last public citation" in page
    client.post(url, {"post": "yes"})
    assert Citation.objects.filter(pk=citation.pk).exists()


def test_the_admin_unpublish_action_refuses_a_sources_last_evidence_with_a_message(client, superuser, seeded):
    response = client.post(
        reverse("admin:tracker_source_changelist"),
        {"action": "unpublish", "_selected_action": [official().pk]},
        follow=True,
    )
    assert "without a public citation" in response.content.decode()
    assert official().published


# The admin


def challenge_form(challenge, citations):
    data = {
        "title": challenge.title,
        "slug": challenge.slug,
        "category": challenge.category,
        "status": challenge.status,
        "published": "on",
        **inline_management("citations", len(citations), sum(1 for c in citations if c.get("id"))),
        **inline_management("status_updates"),
    }
    for index, citation in enumerate(citations):
        data.update({f"citations-{index}-{key}": value for key, value in citation.items()})
        data[f"citations-{index}-challenge"] = challenge.pk
    return data


def test_the_admin_form_refuses_an_invented_quote(client, superuser, seeded):
    challenge = single_cited_challenge()
    citation = challenge.citations.get()
    form = challenge_form(challenge, [{"id": citation.pk, "source": citation.source_id, "quote": INVENTED}])
    response = client.post(reverse("admin:tracker_challenge_change", args=[challenge.pk]), form)
    assert response.status_code == 200
    assert "is not in the archived text" in response.content.decode()
    assert challenge.citations.get().quote == citation.quote


def test_the_admin_replaces_a_records_only_citation_in_one_save(client, superuser, seeded):
    challenge = single_cited_challenge()
    citation = challenge.citations.get()
    real = REAL
    form = challenge_form(
        challenge,
        [
            {"id": citation.pk, "source": citation.source_id, "quote": citation.quote, "DELETE": "on"},
            {"source": official().pk, "quote": real},
        ],
    )
    response = client.post(reverse("admin:tracker_challenge_change", args=[challenge.pk]), form)
    assert response.status_code == 302
    assert list(challenge.citations.values_list("quote", flat=True)) == [real]
    history = client.get(reverse("admin:tracker_challenge_history", args=[challenge.pk])).content.decode()
    assert "Changes to its citations" in history and real in history and citation.quote in history


def source_form(**overrides):
    return {
        "title": "A new report",
        "slug": "a-new-report",
        "kind": "news",
        "publication_precision": "day",
        "reliability": "medium",
        "text": "",
        **overrides,
    }


def test_staff_add_a_source_by_uploading_its_html(client, superuser, db):
    html = b"<html><head><script>alert(1)</script></head><body><h1>Report</h1><p>NATO <b>supports</b> it.</p></body></html>"
    response = client.post(
        reverse("admin:tracker_source_add"), source_form(upload=SimpleUploadedFile("report.html", html))
    )
    assert response.status_code == 302
    source = Source.objects.get(slug="a-new-report")
    assert source.text == "Report\nNATO supports it."
    assert (bytes(source.original), source.original_name, source.original_type) == (html, "report.html", "text/html")

    download = client.get(reverse("tracker:source-original", args=[source.slug]))
    assert download.status_code == 404  # a draft's file is not public
    source.published = True
    source.save()
    download = client.get(reverse("tracker:source-original", args=[source.slug]))
    assert download.content == html
    assert download["Content-Disposition"] == 'attachment; filename="report.html"'
    assert "sandbox" in download["Content-Security-Policy"]


def test_staff_add_a_source_by_pasting_its_text_exactly(client, superuser, db):
    response = client.post(reverse("admin:tracker_source_add"), source_form(text="First line.\r\nSecond line.\r\n"))
    assert response.status_code == 302
    assert Source.objects.get().text == "First line.\nSecond line.\n"


def test_an_unreadable_upload_is_explained_and_nothing_is_saved(client, superuser, db):
    response = client.post(
        reverse("admin:tracker_source_add"), source_form(upload=SimpleUploadedFile("scan.pdf", b"%PDF-1.4 broken"))
    )
    assert response.status_code == 200
    assert "The PDF could not be read" in response.content.decode()
    assert not Source.objects.exists()


# Imports


def exported(model):
    return RESOURCES[model]().export()


def with_cells(dataset, slug, **cells):
    rows = dataset.dict
    for row in rows:
        if row["Slug"] == slug:
            row.update(cells)
    return tablib.Dataset(*[list(row.values()) for row in rows], headers=dataset.headers)


def test_an_invented_quote_is_refused_by_preview_and_import_and_nothing_is_written(seeded):
    challenge = single_cited_challenge()
    citations = list(Citation.objects.values_list("pk", "quote"))
    dataset = with_cells(exported(Challenge), challenge.slug, Quote=INVENTED)
    row = [row["Slug"] for row in dataset.dict].index(challenge.slug) + 1

    for dry_run in (True, False):
        result = import_dataset(RESOURCES[Challenge](), dataset, dry_run=dry_run)
        source = challenge.citations.get().source
        errors = describe_errors(result)
        assert len(errors) == 1
        assert errors[0].startswith(f"Row {row}, Quote: “{INVENTED}” is not in the archived text of “{source}”")
        assert list(Citation.objects.values_list("pk", "quote")) == citations


def test_import_records_refuses_an_invented_quote_and_writes_nothing(seeded, tmp_path):
    challenge = single_cited_challenge()
    path = tmp_path / "challenges.csv"
    path.write_text(with_cells(exported(Challenge), challenge.slug, Quote=INVENTED).csv, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_records", "challenge", str(path))
    assert "Quote: “NATO promised Bosnia and Herzegovina full membership by 2027.” is not in" in str(error.value)
    assert challenge.citations.get().quote != INVENTED


def test_the_admin_import_preview_shows_the_error_and_offers_no_confirm(client, superuser, seeded):
    challenge = single_cited_challenge()
    data = with_cells(exported(Challenge), challenge.slug, Quote=INVENTED).csv.encode()
    response = client.post(
        reverse("admin:tracker_challenge_import"),
        {"import_file": SimpleUploadedFile("challenges.csv", data), "format": "0", "resource": "0"},
    )
    page = response.content.decode()
    assert "is not in the archived text" in page
    assert response.context.get("confirm_form") is None


def test_changing_a_rows_quote_replaces_its_citation_and_the_history_shows_it(seeded):
    challenge = single_cited_challenge()
    old = challenge.citations.get()
    real = REAL
    dataset = with_cells(exported(Challenge), challenge.slug, Source=NATO, Quote=real)

    preview = import_dataset(RESOURCES[Challenge](), dataset, dry_run=True)
    assert preview.totals["update"] == 1
    cells = next(row.diff for row in preview.rows if row.object_id == challenge.pk)
    assert any("clearing-house" in cell and "<ins" in cell for cell in cells)  # the Quote cell, as it will be
    assert any(NATO in cell for cell in cells)  # the Source cell

    result = import_dataset(RESOURCES[Challenge](), dataset, dry_run=False)
    assert describe_errors(result) == []
    assert [(c.source.slug, c.quote, c.verified) for c in challenge.citations.all()] == [(NATO, real, True)]
    changes = Citation.history.filter(challenge_id=challenge.pk).values_list("history_type", "quote")
    assert sorted(changes) == sorted([("+", old.quote), ("+", real), ("-", old.quote)])  # seeded, added, removed


def test_every_citation_of_a_record_is_exported_in_one_row_and_read_back(seeded):
    challenge = next(c for c in Challenge.objects.published() if c.citations.count() > 1)
    row = next(row for row in exported(Challenge).dict if row["Slug"] == challenge.slug)
    citations = sorted(challenge.citations.all(), key=lambda c: c.pk)
    assert row["Source"].splitlines() == [c.source.slug for c in citations]
    assert row["Quote"].splitlines() == [" ".join(c.quote.splitlines()) for c in citations]

    one_source = with_cells(exported(Challenge), challenge.slug, Source=NATO, Quote="\n".join([
        REAL,
        "NATO retains a headquarters in Sarajevo",
    ]))  # fmt: skip
    result = import_dataset(RESOURCES[Challenge](), one_source, dry_run=False)
    assert describe_errors(result) == []
    assert sorted(challenge.citations.values_list("quote", flat=True)) == [
        "NATO retains a headquarters in Sarajevo",
        REAL,
    ]


def test_sources_and_quotes_that_do_not_pair_up_are_explained(seeded):
    challenge = single_cited_challenge()
    dataset = with_cells(exported(Challenge), challenge.slug, Source=f"{NATO}\n{NATO}", Quote="One\nTwo\nThree")
    result = import_dataset(RESOURCES[Challenge](), dataset, dry_run=True)
    assert any("2 source(s) for 3 quote(s)" in line for line in describe_errors(result))


# Public pages


def test_a_source_page_shows_its_text_with_every_public_passage_highlighted_and_linked(client, seeded):
    source = official()
    page = client.get(source.get_absolute_url()).content.decode()
    assert "<mark>" in page
    for citation in Citation.objects.public().filter(source=source):
        assert f'id="c{citation.pk}"' in page
        assert f'href="{citation.cited.get_absolute_url()}"' in page


def test_a_drafts_citation_is_neither_highlighted_nor_listed(client, seeded):
    challenge = single_cited_challenge()
    citation = challenge.citations.get()
    Challenge.objects.filter(pk=challenge.pk).update(published=False)
    page = client.get(citation.source.get_absolute_url()).content.decode()
    assert f'id="c{citation.pk}"' not in page and f'id="cite-{citation.pk}"' not in page


def test_a_record_page_links_each_quote_to_its_passage(client, seeded):
    challenge = single_cited_challenge()
    citation = challenge.citations.get()
    page = client.get(challenge.get_absolute_url()).content.decode()
    assert f'href="{citation.source.get_absolute_url()}#c{citation.pk}"' in page
    assert "Verified against the archived text" in page
