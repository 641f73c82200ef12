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
    assert (row["start_date"], row["end_date"]) == (expected, "")


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

    rows = {row["title"]: row for row in download(client, "initiative")}

    initiative = rows.pop(next(title for title in rows if title != "Without links"))
    assert initiative["focus_areas"] == "Crisis management; Cyber defence; Training"
    assert initiative["organisations"] == "'=HYPERLINK(1); North Atlantic Treaty Organization (NATO)"
    assert (rows["Without links"]["focus_areas"], rows["Without links"]["organisations"]) == ("", "")


def test_every_row_keeps_the_order_of_the_list(client):
    for year, title in [(2010, "Middle"), (2001, "Earliest"), (2020, "Latest"), (2010, "Also middle")]:
        InitiativeFactory(title=title, start_date=datetime.date(year, 1, 1))
    listed = [record.title for record in client.get(reverse("tracker:initiative-list")).context["object_list"]]

    assert [row["title"] for row in download(client, "initiative")] == listed
    assert listed == ["Earliest", "Also middle", "Middle", "Latest"]
    assert [row["title"] for row in download(client, "initiative", sort="-title")] == sorted(listed, reverse=True)


def test_amounts_choices_and_links(client):
    InitiativeFactory(title="Funded", slug="funded", amount=Decimal("2500000.50"), currency="EUR", kind="operation")
    InitiativeFactory(title="Unfunded")

    rows = {row["title"]: row for row in download(client, "initiative")}

    assert (Decimal(rows["Funded"]["amount"]), rows["Funded"]["currency"]) == (Decimal("2500000.50"), "EUR")
    assert rows["Unfunded"]["amount"] == ""
    funded = rows["Funded"]
    assert (funded["kind"], funded["kind_label"], funded["status"], funded["status_label"]) == (
        "operation", "Mission or operation", "ongoing", "Ongoing"
    )  # fmt: skip
    assert rows["Funded"]["url"] == "http://testserver/initiatives/funded/"


def read(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


@pytest.mark.parametrize("name", ["initiative", "challenge", "recommendation", "visit"])
def test_headers_and_codes_are_the_same_in_every_language_only_labels_follow_it(client, name):
    InitiativeFactory(status="completed")
    RecommendationFactory(status="accepted", target_ongoing=True)
    url = reverse(f"tracker:{name}-csv")
    english, *others = [read(client.get(f"{prefix}{url}")) for prefix in ("", "/bs", "/hr", "/sr")]
    codes = [english[0].index(key) for key in english[0] if key in ("status", "kind", "category", "target_ongoing")]
    for other in others:
        assert other[0] == english[0]
        for row, other_row in zip(english[1:], other[1:], strict=True):
            assert [row[index] for index in codes] == [other_row[index] for index in codes]
    assert english[0][0] == "title" and english[0][-1] == "url"


def test_choices_are_coded_and_labelled_in_the_language_of_the_reader(client):
    InitiativeFactory(status="completed")
    [english] = download(client, "initiative")
    bosnian, serbian = (read(client.get(f"/{language}/initiatives.csv")) for language in ("bs", "sr"))
    status = bosnian[0].index("status")
    assert (english["status"], bosnian[1][status], serbian[1][status]) == ("completed", "completed", "completed")
    labels = (english["status_label"], bosnian[1][status + 1], serbian[1][status + 1])
    assert labels == ("Completed", "Završena", "Завршена")


def test_labels_1_adds_a_second_header_row_in_the_readers_language(client):
    InitiativeFactory(title="Only")
    plain, labelled = read(client.get("/hr/initiatives.csv")), read(client.get("/hr/initiatives.csv?labels=1"))
    assert labelled[0] == plain[0] and labelled[2:] == plain[1:]
    assert labelled[1][:2] == ["Naslov", "Skraćeni naziv"] and labelled[1][-1] == "Poveznica"
    response = client.get("/initiatives.csv?labels=yes")
    assert response.status_code == 400 and "labels must be 0 or 1" in response.content.decode()


def test_the_file_name_says_the_kind_the_filters_and_the_day(client, monkeypatch):
    monkeypatch.setattr("tracker.dates.today", lambda: datetime.date(2026, 12, 1))
    names = {
        "/initiatives.csv": "initiatives_2026-12-01.csv",
        "/bs/initiatives.csv?status=completed&status=ongoing&page=3&labels=1":
            "initiatives_status-completed+ongoing_2026-12-01.csv",
        "/sr/visits.csv?q=Одбрана и/или NATO&sort=-date": "visits_q-NATO_sort--date_2026-12-01.csv",
        "/recommendations.csv?target_from=2025&ongoing=": "recommendations_target_from-2025_2026-12-01.csv",
    }  # fmt: skip
    for url, name in names.items():
        assert client.get(url)["Content-Disposition"] == f'attachment; filename="{name}"', url


def test_organisations_targets_and_the_sources_own_wording(client):
    nato = OrganisationFactory(name="North Atlantic Treaty Organization", abbreviation="NATO")
    RecommendationFactory(title="By NATO", proposed_by=nato, target_date=datetime.date(2026, 4, 1),
                          target_precision="quarter")  # fmt: skip
    RecommendationFactory(title="By experts", proposed_by_detail="NATO experts", target_ongoing=True)
    RecommendationFactory(title="By nobody", proposed_by_detail="@evil")

    rows = {row["title"]: row for row in download(client, "recommendation")}

    assert (rows["By NATO"]["proposed_by"], rows["By NATO"]["target_date"]) == ("North Atlantic Treaty Organization (NATO)",
                                                                          "2026-Q2")  # fmt: skip
    assert (rows["By experts"]["proposed_by"], rows["By experts"]["target_date"]) == ("NATO experts", "")
    assert (rows["By experts"]["target_ongoing"], rows["By NATO"]["target_ongoing"]) == ("true", "false")
    assert (rows["By nobody"]["proposed_by"], rows["By nobody"]["target_date"]) == ("'@evil", "")


def test_visits_name_their_organisations_and_hosts(client):
    hosts = [
        OrganisationFactory(name="Ministry of Defence", abbreviation="MoD"),
        OrganisationFactory(name="+Presidency"),
    ]
    VisitFactory(title="With", visitor_organisation=OrganisationFactory(name="NATO", abbreviation="")).hosts.set(hosts)
    VisitFactory(title="Without")

    rows = {row["title"]: row for row in download(client, "visit")}

    assert rows["With"]["visitor_organisation"] == "NATO"
    assert rows["With"]["hosts"] == "'+Presidency; Ministry of Defence (MoD)"
    assert rows["With"]["date"] == "2025-09-25"
    assert (rows["Without"]["visitor_organisation"], rows["Without"]["hosts"]) == ("", "")


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
    assert response.status_code == 200 and len(rows) == 1 and rows[0][0] == "title"
