"""The shipped fixtures: facts from the four documents, each cited, no junk, no duplicates."""

import os
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
    Visit,
)

from .conftest import FIXTURES

RECORD_MODELS = [Initiative, Challenge, Recommendation, Visit, Milestone]
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

DOCUMENTS_DIR = Path(
    os.environ.get("TRACKER_DOCUMENTS_DIR", Path(__file__).resolve().parents[2] / "shared" / "documents")
)


def counts():
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def test_fixtures_hold_every_fact_of_the_documents(seeded):
    assert counts() == {
        "FocusArea": 20,
        "Organisation": 17,
        "Source": 4,
        "Citation": 131,
        "Initiative": 32,
        "Challenge": 20,
        "Recommendation": 25,
        "Visit": 3,
        "Milestone": 14,
    }


def test_loading_the_fixtures_twice_changes_nothing(seeded):
    before = counts()
    call_command("loaddata", *FIXTURES, verbosity=0)
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
                value = getattr(obj, field.attname)
                if isinstance(value, str):
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


def quote_pattern(quote):
    """Table rows are quoted as "cell | cell | cell"; in the documents cells are separated by whitespace or nothing."""
    cells = [r"\s+".join(map(re.escape, cell.split())) for cell in quote.split(" | ")]
    return re.compile(r"\s*".join(cells))


@pytest.mark.skipif(not DOCUMENTS_DIR.is_dir(), reason="the shared documents are not next to this checkout")
def test_every_quote_is_an_exact_extract_of_its_document(seeded):
    texts = {path.name: path.read_text(encoding="utf-8") for path in DOCUMENTS_DIR.glob("*.txt")}
    for source in Source.objects.all():
        assert source.document in texts, source
        text = texts[source.document]
        for citation in source.citations.all():
            assert quote_pattern(citation.quote).search(text), f"not in {source.document}: {citation.quote}"
