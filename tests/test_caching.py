"""Remembered answers (counts, choice lists) are reused until the data changes, and never after."""

import datetime
import zlib

import pytest
from django.db import connection, transaction
from django.urls import reverse

from tracker import caching, dates
from tracker.bulk import insert_rows
from tracker.models import Challenge, FocusArea, Initiative, Visit

from .factories import (
    ChallengeFactory,
    FocusAreaFactory,
    InitiativeFactory,
    MilestoneFactory,
    SourceFactory,
    VisitFactory,
)
from .test_resources import import_rows

pytestmark = pytest.mark.django_db


def counting(answer):
    calls = []

    def compute():
        calls.append(1)
        return answer

    return compute, calls


def test_an_answer_is_computed_once_until_the_data_changes():
    compute, calls = counting(42)
    assert caching.remember("question", compute) == 42
    assert caching.remember("question", compute) == 42
    assert len(calls) == 1
    ChallengeFactory()
    assert caching.remember("question", compute) == 42
    assert len(calls) == 2


def test_every_write_moves_the_version_whatever_makes_it():
    challenge = ChallengeFactory()
    seen = {caching.data_version()}
    writes = [
        lambda: challenge.save(),
        lambda: Challenge.objects.filter(pk=challenge.pk).update(title="Updated by a query set"),
        lambda: raw_sql("UPDATE tracker_challenge SET title = 'Updated by raw SQL'"),
        lambda: challenge.focus_areas.add(FocusAreaFactory()),
        lambda: insert_rows(FocusArea, ["name", "slug", "description"], [("Bulk", "bulk", "")]),
        lambda: FocusArea.objects.filter(slug="bulk").delete(),
    ]
    for write in writes:
        write()
        seen.add(caching.data_version())
    assert len(seen) == len(writes) + 1


def raw_sql(statement):
    with connection.cursor() as cursor:
        cursor.execute(statement)


def test_a_rolled_back_write_leaves_the_version_as_it_was():
    challenge = ChallengeFactory()
    version = caching.data_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Challenge.objects.filter(pk=challenge.pk).update(published=False)
        assert caching.data_version() != version  # the writer sees its own write at once
        raise RuntimeError
    assert caching.data_version() == version


def test_a_write_moves_only_the_versions_of_its_own_tables():
    visit, initiative = VisitFactory(), InitiativeFactory()
    before = caching.data_version(Initiative), caching.data_version(Visit)
    visit.save()
    assert caching.data_version(Initiative) == before[0]
    assert caching.data_version(Visit) != before[1]
    visit.initiatives.add(initiative)  # a link table belongs to the model that declares it
    assert caching.data_version(Initiative) == before[0]


def test_history_rows_do_not_change_the_version():
    challenge = ChallengeFactory()
    version = caching.data_version()
    challenge.history.first().save()
    assert caching.data_version() == version


def test_a_bulk_import_makes_remembered_answers_stale():
    compute, calls = counting(0)
    caching.remember("question", compute)
    result = import_rows(Challenge, "Title,Category\nBudget gaps,Budget and resources\n")
    assert not result.has_errors() and Challenge.objects.count() == 1
    caching.remember("question", compute)
    assert len(calls) == 2


def test_unpublishing_a_record_removes_it_from_the_remembered_count_and_choices(client):
    url = reverse("tracker:initiative-list")
    initiative = InitiativeFactory(focus_areas=[FocusAreaFactory(name="Cyber defence")])
    assert "Cyber defence" in client.get(url).text
    initiative.published = False
    initiative.save()
    response = client.get(url)
    assert response.context["paginator"].count == Initiative.objects.published().count() == 0
    assert "Cyber defence" not in response.text


def test_the_remembered_filter_form_follows_the_query(client):
    InitiativeFactory()
    url = reverse("tracker:initiative-list")
    assert 'value="ongoing" id="id_status_1" checked' not in client.get(url).text
    assert 'value="ongoing" id="id_status_1" checked' in client.get(url, {"status": "ongoing"}).text
    assert 'value="ongoing" id="id_status_1" checked' not in client.get(url, {"status": "completed"}).text


def test_the_remembered_rows_follow_the_data_the_page_and_the_language(client):
    initiative = InitiativeFactory(title="First title", status="completed")
    url = reverse("tracker:initiative-list")
    assert "First title" in client.get(url).text
    initiative.title = "Second title"
    initiative.save()
    assert "Second title" in client.get(url).text
    assert "Second title" not in client.get(url, {"page": "1", "status": "ongoing"}).text
    assert "Završena" in client.get(f"/bs{url}").text


def test_a_remembered_detail_page_follows_the_record_its_relations_and_the_language(client):
    area = FocusAreaFactory(name="Cyber defence")
    initiative = InitiativeFactory(title="First title", status="completed", focus_areas=[area])
    url = initiative.get_absolute_url()
    assert "First title" in client.get(url).text
    initiative.title = "Second title"
    initiative.save()
    assert "Second title" in client.get(url).text
    area.name = "Cyber resilience"
    area.save()
    assert "Cyber resilience" in client.get(url).text
    assert "Završena" in client.get(f"/bs{url}").text
    initiative.published = False
    initiative.save()
    assert client.get(url).status_code == 404


def test_remembered_timeline_source_and_vocabulary_pages_follow_the_data(client):
    area = FocusAreaFactory(name="Cyber defence")
    source = SourceFactory(title="Official page")
    initiative = InitiativeFactory(title="First title", focus_areas=[area], cited__source=source)
    pages = [reverse("tracker:timeline"), source.get_absolute_url(), area.get_absolute_url()]
    for url in pages:
        client.get(url)
    MilestoneFactory(initiative=initiative, title="A new milestone")
    initiative.title = "Second title"
    initiative.save()
    assert "A new milestone" in client.get(pages[0]).text
    assert "Second title" in client.get(pages[1]).text
    assert "Second title" in client.get(pages[2]).text


def test_the_remembered_home_page_follows_the_data_and_the_language(client):
    VisitFactory(title="First visit")
    url = reverse("tracker:home")
    assert "First visit" in client.get(url).text
    VisitFactory(title="Second visit")
    challenge = ChallengeFactory(status="open")
    home = client.get(url)
    assert "Second visit" in home.text and home.context["open_challenges"] == 1
    challenge.status = "resolved"
    challenge.save()
    assert ">0</a>" in client.get(url).text  # the open challenges' figure
    assert "Najnovije posjete i sastanci" in client.get(f"/bs{url}").text


def test_a_remembered_page_is_a_copy_of_the_first_with_the_headers_of_every_response(client, django_assert_num_queries):
    InitiativeFactory(title="First title")
    url = reverse("tracker:initiative-list")
    first = client.get(url)
    with django_assert_num_queries(1):  # the data versions: no view code runs
        copy = client.get(url)
    assert copy.content == first.content and copy.context is None
    for header in ("Content-Type", "Cache-Control", "Content-Security-Policy", "X-Frame-Options", "Content-Language"):
        assert copy[header] == first[header], header
    head = client.head(url)
    assert head.status_code == 200 and head["Content-Type"] == first["Content-Type"]


def test_a_copy_is_kept_compressed(client):
    InitiativeFactory.create_batch(20)
    first = client.get(reverse("tracker:initiative-list"))
    [key] = [key.split(":", 2)[2] for key in caching.answers._cache if ":page:" in key]  # locmem's ":1:" prefix
    compressed, headers = caching.answers.get(key)
    assert zlib.decompress(compressed) == first.content and len(compressed) * 3 < len(first.content)
    assert headers["Content-Type"] == first["Content-Type"]


def test_a_copy_is_of_one_address_language_and_day(client, monkeypatch, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    InitiativeFactory(title="First title", status="completed")
    url = reverse("tracker:initiative-list")
    english = client.get(url).text
    assert "Završena" in client.get(f"/bs{url}").text and "Završena" not in client.get(url).text
    # the pages name their own address (the languages' links): another host is another page
    assert "http://other.example/" in client.get(url, headers={"host": "other.example"}).text
    assert "http://other.example/" not in client.get(url).text == english
    assert client.get(url, {"status": "ongoing"}).text != english
    assert client.get(url).context is None
    monkeypatch.setattr(dates, "today", lambda: datetime.date(2031, 1, 1))
    assert client.get(url).context is not None  # a new day (overdue, due soon): the page is rendered again


def test_only_a_whole_page_is_copied(client):
    draft = InitiativeFactory(published=False)
    assert client.get(draft.get_absolute_url()).status_code == 404
    Initiative.objects.filter(pk=draft.pk).update(published=True)
    assert client.get(draft.get_absolute_url()).status_code == 200  # a 404 was not kept
    csv_url = reverse("tracker:initiative-csv")
    assert client.get(csv_url).streaming and client.get(csv_url).streaming  # a stream is never copied
    too_long = {"q": "x" * 201}
    assert client.get(reverse("tracker:search"), too_long).status_code == 400
    assert client.get(reverse("tracker:search"), too_long).context is not None  # an error: not kept
