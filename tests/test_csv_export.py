"""The public CSV's cells, formatted by the database (``tracker.exports``), on SQLite and PostgreSQL alike."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from tracker.dates import PartialDate

from .factories import FocusAreaFactory, InitiativeFactory, OrganisationFactory, RecommendationFactory, VisitFactory

pytestmark = pytest.mark.django_db


def download(client, name, **params):
    response = client.get(reverse(f"tracker:{name}-csv"), params)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


@pytest.mark.parametrize(
    ("date", "precision", "expected"),
    [
        (datetime.date(2006, 1, 1), "year", "2006"),
        (datetime.date(2026, 4, 1), "quarter", "2026-Q2"),
        (datetime.date(2023, 2, 1), "month", "2023-02"),
        (datetime.date(2025, 9, 25), "day", "2025-09-25"),
        (datetime.date(987, 1, 1), "year", "0987"),
    ],
)
def test_dates_are_written_as_precisely_as_their_source_says(client, date, precision, expected):
    assert PartialDate(date, precision).isoformat() == expected  # the form staff import, too
    InitiativeFactory(start_date=date, start_precision=precision)
    [row] = download(client, "initiative")
    assert (row["Start"], row["End"]) == (expected, "")


def test_names_of_two_relations_are_each_sorted_once_and_neutralised(client):
    """Joining two many-to-many relations pairs every focus area with every organisation:
    each name must still appear once."""
    areas = [FocusAreaFactory(name=name) for name in ("Training", "Cyber defence", "Crisis management")]
    organisations = [
        OrganisationFactory(name="North Atlantic Treaty Organization", abbreviation="NATO"),
        OrganisationFactory(name="=HYPERLINK(1)", abbreviation=""),
    ]
    InitiativeFactory(focus_areas=areas, organisations=organisations)
    InitiativeFactory(title="Without links")

    rows = {row["Title"]: row for row in download(client, "initiative")}

    initiative = rows.pop(next(title for title in rows if title != "Without links"))
    assert initiative["Focus areas"] == "Crisis management; Cyber defence; Training"
    assert initiative["Organisations"] == "'=HYPERLINK(1); North Atlantic Treaty Organization (NATO)"
    assert (rows["Without links"]["Focus areas"], rows["Without links"]["Organisations"]) == ("", "")


def test_every_row_keeps_the_order_of_the_list(client):
    for year, title in [(2010, "Middle"), (2001, "Earliest"), (2020, "Latest"), (2010, "Also middle")]:
        InitiativeFactory(title=title, start_date=datetime.date(year, 1, 1))
    listed = [record.title for record in client.get(reverse("tracker:initiative-list")).context["object_list"]]

    assert [row["Title"] for row in download(client, "initiative")] == listed
    assert listed == ["Earliest", "Also middle", "Middle", "Latest"]
    assert [row["Title"] for row in download(client, "initiative", sort="-title")] == sorted(listed, reverse=True)


def test_amounts_choices_and_links(client):
    InitiativeFactory(title="Funded", slug="funded", amount=Decimal("2500000.50"), currency="EUR", kind="operation")
    InitiativeFactory(title="Unfunded")

    rows = {row["Title"]: row for row in download(client, "initiative")}

    number, currency = rows["Funded"]["Amount"].split(" ")
    assert (Decimal(number), currency) == (Decimal("2500000.50"), "EUR")
    assert rows["Unfunded"]["Amount"] == ""
    assert (rows["Funded"]["Kind"], rows["Funded"]["Status"]) == ("Mission or operation", "Ongoing")
    assert rows["Funded"]["Link"] == "http://testserver/initiatives/funded/"


def test_choices_are_labelled_in_the_language_of_the_reader(client):
    InitiativeFactory(status="completed")
    [english] = download(client, "initiative")
    [bosnian] = list(
        csv.DictReader(io.StringIO(b"".join(client.get("/bs/initiatives.csv").streaming_content).decode("utf-8-sig")))
    )
    assert (english["Status"], bosnian["Status"]) == ("Completed", "Završena")


def test_organisations_targets_and_the_sources_own_wording(client):
    nato = OrganisationFactory(name="North Atlantic Treaty Organization", abbreviation="NATO")
    RecommendationFactory(title="By NATO", proposed_by=nato, target_date=datetime.date(2026, 4, 1),
                          target_precision="quarter")  # fmt: skip
    RecommendationFactory(title="By experts", proposed_by_detail="NATO experts", target_ongoing=True)
    RecommendationFactory(title="By nobody", proposed_by_detail="@evil")

    rows = {row["Title"]: row for row in download(client, "recommendation")}

    assert (rows["By NATO"]["Proposed by"], rows["By NATO"]["Target"]) == ("North Atlantic Treaty Organization (NATO)",
                                                                          "2026-Q2")  # fmt: skip
    assert (rows["By experts"]["Proposed by"], rows["By experts"]["Target"]) == ("NATO experts", "Ongoing")
    assert (rows["By nobody"]["Proposed by"], rows["By nobody"]["Target"]) == ("'@evil", "")


def test_visits_name_their_organisations_and_hosts(client):
    hosts = [
        OrganisationFactory(name="Ministry of Defence", abbreviation="MoD"),
        OrganisationFactory(name="+Presidency"),
    ]
    VisitFactory(title="With", visitor_organisation=OrganisationFactory(name="NATO", abbreviation="")).hosts.set(hosts)
    VisitFactory(title="Without")

    rows = {row["Title"]: row for row in download(client, "visit")}

    assert rows["With"]["Visiting organisation"] == "NATO"
    assert rows["With"]["Hosts"] == "'+Presidency; Ministry of Defence (MoD)"
    assert rows["With"]["Date"] == "2025-09-25"
    assert (rows["Without"]["Visiting organisation"], rows["Without"]["Hosts"]) == ("", "")


@pytest.mark.parametrize(
    "url, message",
    [
        ("/initiatives.csv?status=bogus", "Status: Select a valid choice. bogus is not one of the available choices."),
        ("/initiatives.csv?q=" + "x" * 201, "Search: Ensure this value has at most 200 characters (it has 201)."),
        ("/visits.csv?focus_area=unknown-slug", "Focus area: Select a valid choice. unknown-slug is not one of"),
    ],
)
def test_a_csv_with_an_invalid_filter_is_a_clear_error_not_a_cut_stream(client, seeded, url, message):
    response = client.get(url)
    assert response.status_code == 400
    assert not response.streaming
    body = response.content.decode()
    assert body.startswith("The CSV was not made: these filters are not valid.")
    assert message in body


def test_a_csv_whose_filters_select_nothing_is_complete(client, seeded):
    response = client.get("/initiatives.csv?q=zzzzzzzz")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert response.status_code == 200 and len(rows) == 1 and rows[0][0] == "Title"
