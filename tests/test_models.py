import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tracker.models import Citation, Initiative, Recommendation

from .factories import ChallengeFactory, InitiativeFactory, MilestoneFactory, SourceFactory, VisitFactory

pytestmark = pytest.mark.django_db


def test_end_before_start_is_refused():
    initiative = InitiativeFactory.build(
        start_date=datetime.date(2010, 1, 1), end_date=datetime.date(2009, 1, 1), end_precision="year"
    )
    with pytest.raises(ValidationError) as error:
        initiative.full_clean()
    assert "end_date" in error.value.message_dict


def test_date_inconsistent_with_its_precision_is_refused_by_full_clean():
    initiative = InitiativeFactory.build(start_date=datetime.date(2010, 6, 15), start_precision="year")
    with pytest.raises(ValidationError) as error:
        initiative.full_clean()
    assert "start_date" in error.value.message_dict


def test_amount_needs_a_currency():
    initiative = InitiativeFactory.build(amount=500000)
    with pytest.raises(ValidationError) as error:
        initiative.full_clean()
    assert "currency" in error.value.message_dict


def test_recommendation_target_is_a_date_or_ongoing_not_both():
    recommendation = Recommendation(
        title="x", target_date=datetime.date(2026, 1, 1), target_precision="quarter", target_ongoing=True
    )
    with pytest.raises(ValidationError) as error:
        recommendation.full_clean()
    assert "target_ongoing" in error.value.message_dict


def test_slug_is_derived_from_the_title_and_kept_unique():
    first = InitiativeFactory(title="Partnership for Peace", slug="")
    second = InitiativeFactory(title="Partnership for Peace", slug="")
    assert (first.slug, second.slug) == ("partnership-for-peace", "partnership-for-peace-2")


def test_an_existing_slug_is_never_changed_by_a_new_title():
    initiative = InitiativeFactory(title="Partnership for Peace", slug="")
    initiative.title = "Partnership for Peace (PfP)"
    initiative.save()
    initiative.refresh_from_db()
    assert initiative.slug == "partnership-for-peace"


def test_a_citation_supports_exactly_one_record_in_the_database():
    source = SourceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(source=source, quote="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(source=source, quote="x", initiative=InitiativeFactory(), challenge=ChallengeFactory())


def test_a_citation_knows_what_it_cites():
    milestone = MilestoneFactory()
    citation = Citation.objects.create(source=SourceFactory(), quote="x", milestone=milestone)
    assert citation.cited == milestone
    assert citation.cited_kind == "milestone"
    assert milestone.get_absolute_url().startswith(milestone.initiative.get_absolute_url())


def test_published_excludes_drafts():
    published, draft = VisitFactory(), VisitFactory(published=False)
    assert list(type(published).objects.published()) == [published]
    assert draft not in Initiative.objects.published()
