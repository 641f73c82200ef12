import datetime

import pytest
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.throttling import AnonRateThrottle

from tracker.models import Citation, StatusUpdate

from .factories import (
    ChallengeFactory,
    FocusAreaFactory,
    InitiativeFactory,
    MilestoneFactory,
    OrganisationFactory,
    RecommendationFactory,
    SourceFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

FACTORIES = {
    "initiative": InitiativeFactory,
    "challenge": ChallengeFactory,
    "recommendation": RecommendationFactory,
    "visit": VisitFactory,
}


def api_list(client, name, **params):
    response = client.get(reverse(f"api:{name}-list"), params)
    assert response.status_code == 200, response.content
    return response.json()


def slugs(page):
    return [row["slug"] for row in page["results"]]


def detail(client, name, slug):
    return client.get(reverse(f"api:{name}-detail", args=[slug]))


def update_of(record, source, status, day=datetime.date(2025, 1, 1)):
    update = StatusUpdate.objects.create(date=day, status=status, **{record._meta.model_name: record})
    Citation.objects.create(status_update=update, source=source, quote=f"A sentence supporting {update.pk}.")
    return update


@pytest.mark.parametrize("name", FACTORIES)
def test_each_kind_of_record_lists_only_published_records(client, name):
    FACTORIES[name](title="Visible record")
    FACTORIES[name](title="Draft record", published=False)

    page = api_list(client, name)

    assert page["count"] == 1
    assert slugs(page) == ["visible-record"]
    assert "published" not in page["results"][0]


@pytest.mark.parametrize("name", FACTORIES)
def test_a_draft_is_not_found(client, name):
    FACTORIES[name](title="Draft record", published=False)

    response = detail(client, name, "draft-record")

    assert response.status_code == 404
    assert response.json() == {"detail": "No Initiative matches the given query.".replace("Initiative", name.title())}


def test_a_published_records_relations_leave_out_drafts(client):
    initiative = InitiativeFactory(
        title="Public",
        parent=InitiativeFactory(title="Draft parent", published=False),
        cited__source=SourceFactory(title="Public source"),
    )
    Citation.objects.create(
        initiative=initiative, source=SourceFactory(title="Draft source", published=False), quote="From a draft source."
    )
    InitiativeFactory(title="Public part", parent=initiative)
    InitiativeFactory(title="Draft part", parent=initiative, published=False)
    initiative.challenges.set(
        [ChallengeFactory(title="Public challenge"), ChallengeFactory(title="Draft challenge", published=False)]
    )
    for title, published in [("Public visit", True), ("Draft visit", False)]:
        VisitFactory(title=title, published=published).initiatives.add(initiative)
    for title, published in [("Public recommendation", True), ("Draft recommendation", False)]:
        RecommendationFactory(title=title, published=published).initiatives.add(initiative)
    MilestoneFactory(initiative=initiative, title="Agreed")

    record = detail(client, "initiative", "public").json()

    assert record["parent"] is None
    assert [part["slug"] for part in record["parts"]] == ["public-part"]
    assert [challenge["slug"] for challenge in record["challenges"]] == ["public-challenge"]
    assert [visit["slug"] for visit in record["visits"]] == ["public-visit"]
    assert [recommendation["slug"] for recommendation in record["recommendations"]] == ["public-recommendation"]
    assert [citation["source"]["title"] for citation in record["citations"]] == ["Public source"]
    assert record["milestones"][0]["title"] == "Agreed"
    assert record["parts"][0]["url"] == "http://testserver/api/initiatives/public-part/"
    assert "Draft" not in str(record)


def test_related_records_come_as_slug_title_and_url(client):
    visit = VisitFactory(title="Summit in Sarajevo")
    RecommendationFactory(title="Hold elections", visit=visit, proposed_by=OrganisationFactory(name="PCSC"))

    record = detail(client, "recommendation", "hold-elections").json()

    assert record["visit"] == {
        "slug": "summit-in-sarajevo",
        "title": "Summit in Sarajevo",
        "url": "http://testserver/api/visits/summit-in-sarajevo/",
    }
    assert record["proposed_by"] == {"slug": "pcsc", "name": "PCSC", "url": "http://testserver/api/organisations/pcsc/"}
    assert record["page"] == "http://testserver/recommendations/hold-elections/"
    assert detail(client, "visit", "summit-in-sarajevo").json()["recommendations"][0]["slug"] == "hold-elections"


def test_dates_come_with_their_precision(client):
    VisitFactory(title="Visit", date=datetime.date(2025, 9, 1), date_precision="month")
    InitiativeFactory(title="Package", start_date=datetime.date(2026, 4, 1), start_precision="quarter")

    visit = api_list(client, "visit")["results"][0]
    initiative = detail(client, "initiative", "package").json()

    assert visit["date"] == {"date": "2025-09-01", "precision": "month", "iso": "2025-09", "text": "Sep 2025"}
    assert initiative["start"] == {"date": "2026-04-01", "precision": "quarter", "iso": "2026-Q2", "text": "Q2 2026"}
    assert initiative["end"] is None


def test_status_updates_are_public_only_when_supported_by_a_published_source_of_a_published_record(client):
    published_source, draft_source = SourceFactory(), SourceFactory(published=False)
    initiative = InitiativeFactory(title="Public")
    shown = update_of(initiative, published_source, "completed")
    unsupported = update_of(initiative, draft_source, "suspended", datetime.date(2025, 2, 1))
    of_draft = update_of(InitiativeFactory(published=False), published_source, "completed")

    page = api_list(client, "statusupdate")

    assert [row["id"] for row in page["results"]] == [shown.pk]
    assert page["results"][0]["record"]["kind"] == "initiative"
    assert page["results"][0]["date"]["iso"] == "2025-01-01"
    assert [update["id"] for update in detail(client, "initiative", "public").json()["status_updates"]] == [shown.pk]
    for hidden in (unsupported, of_draft):
        assert detail(client, "statusupdate", hidden.pk).status_code == 404


def test_citations_are_public_only_for_published_records_and_sources(client):
    public = InitiativeFactory(title="Public")
    milestone = MilestoneFactory(initiative=public, title="Agreed")
    Citation.objects.create(milestone=milestone, source=SourceFactory(), quote="A milestone's evidence.")
    draft = InitiativeFactory(title="Draft", published=False)
    Citation.objects.create(initiative=public, source=SourceFactory(published=False), quote="Not public.")

    page = api_list(client, "citation")

    assert {(row["record"]["slug"], row["milestone"]) for row in page["results"]} == {
        ("public", None),
        ("public", "Agreed"),
    }
    assert all(row["quote"] != "Not public." for row in page["results"])
    assert detail(client, "citation", draft.citations.get().pk).status_code == 404


def test_sources_and_vocabularies_are_those_of_published_records(client):
    SourceFactory(title="Draft source", published=False)
    source = SourceFactory(title="Public source", text="Archived.", reliability_note="Official.")
    InitiativeFactory(focus_areas=[FocusAreaFactory(name="Cyber")], organisations=[OrganisationFactory(name="NATO HQ")])
    InitiativeFactory(
        published=False,
        focus_areas=[FocusAreaFactory(name="Secret area")],
        organisations=[OrganisationFactory(name="Secret body")],
    )

    sources = api_list(client, "source")["results"]

    assert "public-source" in [row["slug"] for row in sources]
    assert "draft-source" not in [row["slug"] for row in sources]
    assert "text" not in sources[0] and "original" not in sources[0]
    assert slugs(api_list(client, "focusarea")) == ["cyber"]
    assert slugs(api_list(client, "organisation")) == ["nato-hq"]
    assert detail(client, "focusarea", "secret-area").status_code == 404
    assert detail(client, "organisation", "secret-body").status_code == 404
    assert detail(client, "source", source.slug).json()["reliability_note"] == "Official."
    assert detail(client, "source", "draft-source").status_code == 404


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("initiative", {"status": "completed"}),
        ("initiative", {"focus_area": "cyber", "sort": "-title"}),
        ("initiative", {"organisation": "nato-hq", "active_from": "2010"}),
        ("visit", {"organisation": "nato-hq"}),
        ("challenge", {"q": "border"}),
    ],
)
def test_filters_give_the_same_records_as_the_public_list(client, name, params):
    cyber, hq = FocusAreaFactory(name="Cyber"), OrganisationFactory(name="NATO HQ")
    InitiativeFactory(title="A done", status="completed", focus_areas=[cyber])
    InitiativeFactory(title="B cyber", focus_areas=[cyber], organisations=[hq], end_date=datetime.date(2012, 1, 1))
    InitiativeFactory(title="C old", organisations=[hq], end_date=datetime.date(2008, 1, 1))
    InitiativeFactory(title="D draft", status="completed", focus_areas=[cyber], published=False)
    VisitFactory(title="Hosted").hosts.add(hq)
    VisitFactory(title="Made", visitor_organisation=hq)
    VisitFactory(title="Other")
    ChallengeFactory(title="Border control")
    ChallengeFactory(title="Budget")

    html = client.get(reverse(f"tracker:{name}-list"), params)
    api = api_list(client, name, **params)

    expected = [record.slug for record in html.context["object_list"]]
    assert expected  # each case matches something
    assert slugs(api) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "nonsense"}, "status"),
        ({"active_from": "abc"}, "active_from"),
        ({"updated_since": "2025-13-45"}, "updated_since"),
        ({"focus_area": "no-such-area"}, "focus_area"),
        ({"sort": "secret"}, "sort"),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_the_filter(client, params, field):
    InitiativeFactory()

    response = client.get(reverse("api:initiative-list"), params)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert response.json()[field][0]


def test_lists_are_paginated_with_a_bounded_page_size(client):
    for number in range(25):
        ChallengeFactory(title=f"Challenge {number:02d}")

    first = api_list(client, "challenge")
    small = api_list(client, "challenge", page_size=5, page=2)
    huge = api_list(client, "challenge", page_size=1000)

    assert (first["count"], len(first["results"])) == (25, 20)
    assert first["next"] == "http://testserver/api/challenges/?page=2"
    assert first["previous"] is None
    assert slugs(small) == [f"challenge-{number:02d}" for number in range(5, 10)]
    assert len(huge["results"]) == 25  # at most 100
    response = client.get(reverse("api:challenge-list"), {"page": "9"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_the_schema_is_valid_openapi_3_and_documents_every_endpoint(client):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")

    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    for prefix in ["initiatives", "challenges", "recommendations", "visits", "status-updates", "citations",
                   "sources", "focus-areas", "organisations"]:  # fmt: skip
        assert {
            f"/api/{prefix}/",
            f"/api/{prefix}/{{{'id' if prefix in ('status-updates', 'citations') else 'slug'}}}/",
        } <= set(schema["paths"])
    parameters = {parameter["name"] for parameter in schema["paths"]["/api/initiatives/"]["get"]["parameters"]}
    assert {"q", "status", "kind", "focus_area", "organisation", "overdue", "sort", "page", "page_size"} <= parameters


def test_anonymous_use_is_throttled_with_retry_after(client, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    url = reverse("api:focusarea-list")

    statuses = [client.get(url).status_code for _ in range(3)]
    response = client.get(url)

    assert statuses == [200, 200, 429]
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["detail"]


def test_the_api_answers_json_only_and_the_docs_page_has_nothing_inline(client):
    docs = client.get(reverse("api:docs"))
    script = client.get(reverse("api:docs"), {"script": ""})

    assert docs.status_code == 200
    html = docs.content.decode()
    assert "<style" not in html and "<script>" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    assert client.get(reverse("api:focusarea-list"), HTTP_ACCEPT="text/html")["Content-Type"] == "application/json"


def rich_records(name, count):
    organisation, area, source = OrganisationFactory(), FocusAreaFactory(name="Shared"), SourceFactory()
    for _ in range(count):
        record = FACTORIES[name](focus_areas=[area], cited__source=source)
        if name == "initiative":
            record.organisations.add(organisation)
            update_of(record, source, "completed")
        if name == "visit":
            record.hosts.add(organisation)
            record.visitor_organisation = organisation
            record.save()
        if name == "recommendation":
            record.proposed_by = organisation
            record.focus_area = area
            record.save()


#: The throttle's reading and writing of the address's request history in the database cache.
THROTTLE = 6


@pytest.mark.parametrize("count", [2, 20])
@pytest.mark.parametrize(
    ("name", "queries"),
    [
        # data version, count, page of rows, each related list the rows show; the first time,
        # also the terms that published records carry, for the filters' choices
        ("initiative", 1 + 1 + 1 + 1 + 2),
        ("challenge", 1 + 1 + 1 + 1 + 1),
        ("recommendation", 1 + 1 + 1 + 1 + 2),
        ("visit", 1 + 1 + 1 + 2 + 2),
        ("statusupdate", 1 + 1 + 1 + 1),
        ("citation", 1 + 1 + 1),
        ("source", 1 + 1 + 1),
        # data version, the terms that published records carry, count, page of rows
        ("focusarea", 1 + 1 + 1 + 1),
        ("organisation", 1 + 1 + 1 + 1),
    ],
)
def test_each_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, name, queries, count):
    for kind in FACTORIES:
        rich_records(kind, count)

    with django_assert_num_queries(THROTTLE + queries):
        page = api_list(client, name)

    assert len(page["results"]) == min(page["count"], 20) > 0


@pytest.mark.parametrize("count", [2, 20])
def test_a_records_detail_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    source = SourceFactory()
    initiative = InitiativeFactory(title="Rich", cited__source=source, organisations=[OrganisationFactory()])
    for number in range(count):
        InitiativeFactory(parent=initiative, cited__source=source)
        initiative.challenges.add(ChallengeFactory(cited__source=source))
        VisitFactory(cited__source=source).initiatives.add(initiative)
        RecommendationFactory(cited__source=source).initiatives.add(initiative)
        milestone = MilestoneFactory(initiative=initiative, title=f"Step {number}")
        Citation.objects.create(milestone=milestone, source=source, quote="A milestone's evidence.")
        update_of(initiative, source, "ongoing", datetime.date(2020 + number, 1, 1))

    # the record, then one query for each relation it shows: focus areas, organisations, parts (no parent:
    # no query), challenges, recommendations, visits, milestones and their citations, its citations, its
    # status updates and theirs
    with django_assert_num_queries(THROTTLE + 1 + 11):
        record = detail(client, "initiative", "rich").json()

    assert len(record["parts"]) == len(record["milestones"]) == len(record["status_updates"]) == count


def links(data):
    """Every API URL in a response, however deep."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("url", "next", "previous") and isinstance(value, str) and "/api/" in value:
                yield value
            else:
                yield from links(value)
    elif isinstance(data, list):
        for item in data:
            yield from links(item)


def test_every_link_in_the_api_leads_to_a_published_object(client, seeded, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "100000/min"})
    names = [*FACTORIES, "statusupdate", "citation", "source", "focusarea", "organisation"]
    responses = [api_list(client, name) for name in names]
    responses += [client.get(row["url"]).json() for page in list(responses) for row in page["results"][:3]]

    urls = set().union(*(links(response) for response in responses))

    assert len(urls) > 100
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)
