"""The index pages of focus areas and organisations: every term published records carry, with its counts."""

import pytest
from django.urls import reverse

from tracker.models import FocusArea, Organisation

from .factories import (
    ChallengeFactory,
    FocusAreaFactory,
    InitiativeFactory,
    OrganisationFactory,
    RecommendationFactory,
    VisitFactory,
)
from .pages import rendered

pytestmark = pytest.mark.django_db


def rows(client, url_name):
    """``{term name: [(count, list URL), …]}`` of an index page."""
    response = rendered(client, reverse(url_name))
    assert response.status_code == 200
    return {term.name: counts for term, counts in response.context["terms"]}


def listed(client, url):
    return client.get(url).context["paginator"].count


def test_focus_areas_are_counted_per_kind_of_published_record(client):
    area = FocusAreaFactory(name="Demining")
    InitiativeFactory(focus_areas=[area])
    InitiativeFactory(focus_areas=[area])
    InitiativeFactory(focus_areas=[area], published=False)
    ChallengeFactory(focus_areas=[area])
    RecommendationFactory(focus_area=area)  # a main focus area counts as the list filters it
    VisitFactory(focus_areas=[area, FocusAreaFactory(name="Other")])
    FocusAreaFactory(name="Unused")
    InitiativeFactory(published=False, focus_areas=[FocusAreaFactory(name="Draft only")])

    index = rows(client, "tracker:focusarea-list")

    assert sorted(index) == ["Demining", "Other"]
    assert [count for count, url in index["Demining"]] == [2, 1, 1, 1]
    assert [count for count, url in index["Other"]] == [0, 0, 0, 1]


def test_organisations_count_visits_made_and_hosted_once_each(client):
    organisation = OrganisationFactory(name="Ministry of Defence")
    InitiativeFactory(organisations=[organisation])
    RecommendationFactory(proposed_by=organisation)
    VisitFactory(visitor_organisation=organisation).hosts.add(organisation)
    VisitFactory().hosts.add(organisation)

    index = rows(client, "tracker:organisation-list")

    assert [count for count, url in index["Ministry of Defence"]] == [1, 1, 2]


@pytest.mark.parametrize("url_name", ["tracker:focusarea-list", "tracker:organisation-list"])
def test_every_count_equals_the_filtered_list_it_links_to(client, seeded, url_name):
    index = rows(client, url_name)

    assert index
    for name, counts in index.items():
        for count, url in counts:
            assert listed(client, url) == count, (name, url)


def test_each_term_links_to_its_page(client):
    area = FocusAreaFactory(name="Demining")
    InitiativeFactory(focus_areas=[area])

    page = client.get(reverse("tracker:focusarea-list")).content.decode()

    assert f'<a href="{area.get_absolute_url()}">Demining</a>' in page
    assert f'<a href="{reverse("tracker:initiative-list")}?focus_area=demining">1</a>' in page


def test_the_index_pages_are_in_the_main_menu(client):
    page = client.get(reverse("tracker:focusarea-list")).content.decode()

    assert f'<a href="{reverse("tracker:focusarea-list")}" aria-current="page">' in page
    assert f'<a href="{reverse("tracker:organisation-list")}">' in page


@pytest.mark.parametrize("size", [1, 10])
def test_the_index_pages_run_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    for _ in range(size):
        area, organisation = FocusAreaFactory(), OrganisationFactory()
        InitiativeFactory(focus_areas=[area], organisations=[organisation])
        VisitFactory(focus_areas=[area], visitor_organisation=organisation)
        RecommendationFactory(focus_area=area, proposed_by=organisation)
    for url_name, vocabulary in [("tracker:focusarea-list", FocusArea), ("tracker:organisation-list", Organisation)]:
        # the data versions, the terms in use, the terms, their counts (kept by the database)
        with django_assert_num_queries(1 + 1 + 1 + 1):
            index = rows(client, url_name)
        assert len(index) == vocabulary.objects.count() == size
        with django_assert_num_queries(1):  # the page remembered until the data changes: the data versions
            remembered = client.get(reverse(url_name))
        assert all(f">{name}<" in remembered.text for name in index)
