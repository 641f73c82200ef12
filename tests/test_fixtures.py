"""The shipped fixtures: facts from the four documents, each cited, no junk, no duplicates."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count

from tracker.models import (
    Challenge,
    Citation,
    FocusArea,
    Initiative,
    Milestone,
    Organisation,
    Recommendation,
    Source,
    StatusUpdate,
    Visit,
)
from tracker.quotes import locate, normalise

RECORD_MODELS = [Initiative, Challenge, Recommendation, Visit, Milestone, StatusUpdate]
ALL_MODELS = [FocusArea, Organisation, Source, Citation, *RECORD_MODELS]

JUNK = [
    "HTML content",
    "cleaned-up",
    "```",
    "ADVERTISEMENT",
    "Limited national",
    "Here’s a",
    "improved formatting",
    "Our authors",
    "Archives",
]

#: Fields that hold a document as published, junk included: the archive, not facts taken from it.
ARCHIVE_FIELDS = {"Source.text"}


def counts():
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def test_fixtures_hold_every_fact_of_the_documents(seeded):
    assert counts() == {
        "FocusArea": 20,
        "Organisation": 17,
        "Source": 4,
        "Citation": 137,
        "Initiative": 32,
        "Challenge": 20,
        "Recommendation": 25,
        "Visit": 3,
        "Milestone": 14,
        "StatusUpdate": 6,
    }


def test_loading_the_fixtures_twice_changes_nothing(seeded):
    before = counts()
    call_command("seed", verbosity=0)
    assert counts() == before


def test_every_record_and_milestone_cites_a_source(seeded):
    for model in RECORD_MODELS:
        uncited = model.objects.annotate(n=Count("citations")).filter(n=0)
        assert list(uncited) == [], f"{model.__name__} without a citation"


def test_every_record_is_published_and_valid(seeded):
    for model in [Initiative, Challenge, Recommendation, Visit, Source]:
        assert not model.objects.filter(published=False).exists()
    for model in ALL_MODELS:
        for obj in model.objects.all():
            obj.full_clean()


def all_text():
    for model in ALL_MODELS:
        for obj in model.objects.all():
            for field in obj._meta.concrete_fields:
                if field.generated:
                    continue  # a search document, derived from the fields checked here (and the archived text)
                value = getattr(obj, field.attname)
                if isinstance(value, str) and f"{model.__name__}.{field.name}" not in ARCHIVE_FIELDS:
                    yield f"{model.__name__}.{field.name}", value


def test_no_junk_text_made_it_in(seeded):
    found = [(where, junk) for where, value in all_text() for junk in JUNK if junk.lower() in value.lower()]
    assert found == []


def normalised(title):
    return re.sub(r"[^a-z0-9]+", " ", title.lower().replace("defense", "defence")).strip()


@pytest.mark.parametrize("model", [Initiative, Challenge, Recommendation, Visit, FocusArea, Organisation])
def test_no_record_is_there_twice(seeded, model):
    field = "name" if model in (FocusArea, Organisation) else "title"
    names = [normalised(value) for value in model.objects.values_list(field, flat=True)]
    assert len(names) == len(set(names))


def test_no_record_quotes_the_same_sentence_twice(seeded):
    duplicates = (
        Citation.objects.values("source", "quote", *Citation.CITED_FIELDS).annotate(n=Count("pk")).filter(n__gt=1)
    )
    assert list(duplicates) == []


def test_every_quote_is_found_in_its_sources_archived_text(seeded):
    citations = Citation.objects.select_related("source")
    assert citations.count() == 137
    for citation in citations:
        assert citation.source.verifiable, citation.source
        assert citation.verified, citation.quote
        span = locate(citation.quote, citation.source.text)
        assert span == (citation.start, citation.end), citation.quote
        passage = citation.source.text[citation.start : citation.end]
        assert normalise(passage).text.replace(" ", "") == normalise(citation.quote).text.replace(" | ", "").replace(
            " ", ""
        )


def test_the_archive_holds_each_document_whole(seeded):
    """The archived texts are the documents as published: the junk of the weak sources is there too."""
    texts = dict(Source.objects.values_list("slug", "text"))
    assert all(texts.values())
    assert "It looks like your HTML content was cut off" in texts["nato-bosnian-partnership-article"]
    assert "ADVERTISEMENT" in texts["nato-deputy-secretary-general-visit-2025"]
    assert texts["nato-relations-with-bosnia-and-herzegovina"].startswith("Relations with Bosnia and Herzegovina\n")


SHARED_DOCUMENTS = Path(__file__).resolve().parents[2] / "shared" / "documents"


@pytest.mark.skipif(not SHARED_DOCUMENTS.is_dir(), reason="the shared documents are not next to this checkout")
def test_the_archived_texts_are_the_shared_documents_unedited(seeded):
    for source in Source.objects.all():
        assert source.text == (SHARED_DOCUMENTS / source.original_name).read_text(encoding="utf-8"), source


def test_each_record_has_the_status_of_its_latest_update(seeded):
    """``loaddata`` restores statuses as dumped; the shipped fixtures agree with their dated updates."""
    for update in StatusUpdate.objects.all():
        record = update.record
        latest = record.status_updates.order_by("-date", "-pk").first()
        assert record.status == latest.status, record
