"""Overdue and due-soon targets: a target period passes at its end, on the site's date in Sarajevo."""

import datetime
import re

import pytest
from django.db import connection

from tracker import dates
from tracker.dates import Precision, ended_before, period_start
from tracker.models import Initiative, Recommendation

from .factories import InitiativeFactory, RecommendationFactory
from .pages import results_count

pytestmark = pytest.mark.django_db

OVERDUE_IN_FIXTURES = {"cybersecurity-joint-training-sessions", "defence-reform-policy-review"}  # Q1 and Q2 2026


@pytest.fixture
def on(monkeypatch):
    """Move the site's "today"."""

    def move(day):
        monkeypatch.setattr(dates, "today", lambda: day)

    return move


def slugs(response):
    return {record.slug for record in response.context["object_list"]}


@pytest.mark.parametrize(
    ("day", "precision", "start"),
    [
        (datetime.date(2026, 3, 31), Precision.QUARTER, datetime.date(2026, 1, 1)),
        (datetime.date(2026, 4, 1), Precision.QUARTER, datetime.date(2026, 4, 1)),
        (datetime.date(2026, 12, 1), Precision.QUARTER, datetime.date(2026, 10, 1)),
        (datetime.date(2026, 2, 28), Precision.MONTH, datetime.date(2026, 2, 1)),
        (datetime.date(2026, 7, 9), Precision.YEAR, datetime.date(2026, 1, 1)),
        (datetime.date(2026, 7, 9), Precision.DAY, datetime.date(2026, 7, 9)),
    ],
)
def test_the_period_that_holds_a_day_starts_where_it_should(day, precision, start):
    assert period_start(day, precision) == start


def test_the_site_date_is_the_day_in_sarajevo(monkeypatch):
    late_evening_utc = datetime.datetime(2026, 3, 31, 22, 30, tzinfo=datetime.UTC)  # 00:30 on 1 April in Sarajevo
    monkeypatch.setattr("django.utils.timezone.now", lambda: late_evening_utc)
    assert dates.today() == datetime.date(2026, 4, 1)


def test_a_q1_target_becomes_overdue_when_march_ends(on):
    record = RecommendationFactory(target_date=datetime.date(2026, 1, 1), target_precision=Precision.QUARTER)
    overdue = Recommendation.objects.filter(pk=record.pk)

    on(datetime.date(2026, 3, 31))
    assert not overdue.overdue(dates.today()).exists()
    assert overdue.due_soon(dates.today()).exists()
    on(datetime.date(2026, 4, 1))
    assert overdue.overdue(dates.today()).exists()
    assert not overdue.due_soon(dates.today()).exists()


def test_due_soon_means_the_period_ends_within_90_days(on):
    record = RecommendationFactory(target_date=datetime.date(2026, 6, 1), target_precision=Precision.MONTH)
    records = Recommendation.objects.filter(pk=record.pk)

    on(datetime.date(2026, 4, 1))  # 30 June is 90 days away
    assert records.due_soon(dates.today()).exists()
    on(datetime.date(2026, 3, 31))  # 91 days away
    assert not records.due_soon(dates.today()).exists()


def test_ongoing_closed_and_undated_targets_are_never_overdue(on):
    on(datetime.date(2030, 1, 1))
    RecommendationFactory(target_ongoing=True, target_date=None)
    RecommendationFactory(target_date=None)
    RecommendationFactory(
        target_date=datetime.date(2026, 1, 1),
        target_precision=Precision.YEAR,
        status=Recommendation.Status.IMPLEMENTED,
    )
    assert not Recommendation.objects.overdue(dates.today()).exists()


def test_an_initiative_past_its_planned_end_while_ongoing_is_overdue(on):
    on(datetime.date(2026, 12, 1))
    late = InitiativeFactory(
        status=Initiative.Status.ONGOING, end_date=datetime.date(2025, 1, 1), end_precision=Precision.YEAR
    )
    InitiativeFactory(
        status=Initiative.Status.COMPLETED, end_date=datetime.date(2025, 1, 1), end_precision=Precision.YEAR
    )
    assert list(Initiative.objects.overdue(dates.today())) == [late]


def test_ended_before_is_one_condition_per_precision():
    condition = ended_before("target_date", "target_precision", datetime.date(2026, 4, 1))
    assert len(condition.children) == 5  # the empty start, then year, quarter, month, day


def test_the_two_fixture_recommendations_of_2026_are_overdue_on_their_pages_in_the_list_and_at_home(client, seeded, on):
    on(datetime.date(2026, 12, 1))

    listed = client.get("/recommendations/?overdue=yes")
    assert slugs(listed) == OVERDUE_IN_FIXTURES
    assert listed.content.decode().count('class="badge badge-overdue"') == 2
    for slug in OVERDUE_IN_FIXTURES:
        assert (
            '<span class="badge badge-overdue">Overdue</span>'
            in client.get(f"/recommendations/{slug}/").content.decode()
        )
    assert not slugs(client.get("/recommendations/?overdue=yes&status=implemented"))
    assert slugs(client.get("/recommendations/?overdue=no")).isdisjoint(OVERDUE_IN_FIXTURES)
    not_overdue = results_count(client.get("/recommendations/?overdue=no"))
    assert not_overdue == Recommendation.objects.published().count() - 2

    home = client.get("/")
    recommendations = next(row for row in home.context["deadlines"] if row[0] == "recommendations")
    assert recommendations[1:3] == (2, 0)
    assert 'href="/recommendations/?overdue=yes">2</a>' in home.content.decode()


def test_before_their_targets_passed_they_were_due_soon_then_not_flagged(client, seeded, on):
    on(datetime.date(2026, 2, 15))
    assert slugs(client.get("/recommendations/?overdue=soon")) == {"cybersecurity-joint-training-sessions"}
    assert not slugs(client.get("/recommendations/?overdue=yes"))
    page = client.get("/recommendations/cybersecurity-joint-training-sessions/").content.decode()
    assert '<span class="badge badge-due-soon">Due soon</span>' in page

    on(datetime.date(2026, 4, 1))  # the next day of the site is another remembered page
    page = client.get("/recommendations/cybersecurity-joint-training-sessions/").content.decode()
    assert '<span class="badge badge-overdue">Overdue</span>' in page


def test_an_overdue_list_remembered_yesterday_is_counted_again_today(client, seeded, on):
    """A remembered count is named by the list's query and the day, so the same query the next day, with
    no data changed, is counted again."""
    on(datetime.date(2026, 2, 15))
    assert client.get("/recommendations/?overdue=yes").context["paginator"].count == 0
    on(datetime.date(2026, 12, 1))
    listed = client.get("/recommendations/?overdue=yes")
    assert listed.context["paginator"].count == 2
    assert slugs(listed) == OVERDUE_IN_FIXTURES


def test_an_unknown_deadline_choice_is_explained(client, seeded):
    response = client.get("/recommendations/?overdue=maybe")
    assert response.status_code == 200
    assert "Select a valid choice. maybe is not one of the available choices." in response.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL plan")
def test_the_due_soon_list_reads_its_index_from_this_year_on_not_from_the_first_deadline():
    """A list ordered by its deadline (recommendations) starts its index scan at this year's start: every
    earlier deadline has ended, and at a million records walking past them took 0.7 s."""
    with connection.cursor() as cursor:  # the plan of a large table, on a small one
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    listed = Recommendation.objects.published().due_soon(datetime.date(2026, 12, 2)).order_by("target_date", "pk")
    plan = listed[:21].explain()
    assert re.search(r"Index Cond: \(.*target_date >= '2026-01-01'::date", plan), plan
