"""/changes/ and the feed: what changed in published records, never in drafts, with status updates' evidence."""

import datetime

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tracker.models import Challenge, Citation, Initiative, Recommendation, Source, StatusUpdate, Visit

from .factories import ChallengeFactory, InitiativeFactory, VisitFactory, inline_management

pytestmark = pytest.mark.django_db

CHANGES = reverse("tracker:changes")
EUFOR = "NATO provides support to EUFOR Operation Althea under the Berlin Plus Agreements."


def edit(record, reason="", **fields):
    for name, value in fields.items():
        setattr(record, name, value)
    record._change_reason = reason
    record.save()


def test_the_seeded_tracker_shows_its_records_and_dated_status_updates(client, seeded):
    response = client.get(CHANGES + "?kind=initiative")
    body = response.content.decode()

    assert response.status_code == 200
    assert {str(change.kind_label) for change in response.context["listing"].changes} == {"status update", "initiative"}
    assert "Published." in body and "Reason given: Loaded from the shipped fixtures" in body
    dcb = client.get(Initiative.objects.get(slug="dcb-package-2023").changes_url()).content.decode()
    assert "Status: Ongoing, as of Feb 2023" in dcb and "Status: Planned, as of 2022" in dcb
    assert "NATO Defence Ministers endorsed the new DCB package" in dcb
    published = sum(model.objects.published().count() for model in (Initiative, Challenge, Recommendation, Visit))
    assert client.get(CHANGES).context["listing"].paginator.count == published + StatusUpdate.objects.count()


def test_an_edit_shows_the_field_before_and_after_and_the_reason(client):
    record = InitiativeFactory(title="Partnership for Peace", summary="Old summary")
    edit(record, reason="Corrected from the NATO page", summary="New summary")

    change = client.get(CHANGES).context["listing"].changes[0]

    assert change.title == "Partnership for Peace"
    assert change.fields == [("summary", "Old summary", "New summary")]
    assert change.reason == "Corrected from the NATO page"
    body = client.get(CHANGES).content.decode()
    assert "<del>Old summary</del>" in body and "<ins>New summary</ins>" in body
    assert "Reason given: Corrected from the NATO page" in body


def test_drafts_and_withdrawn_records_never_appear(client):
    draft = InitiativeFactory(title="Draft plan", published=False)
    edit(draft, summary="Secret detail")
    withdrawn = ChallengeFactory(title="Withdrawn challenge")
    edit(withdrawn, summary="Said in public once")
    type(withdrawn).objects.filter(pk=withdrawn.pk).update(published=False)

    body = client.get(CHANGES).content.decode()

    assert "Draft plan" not in body and "Secret detail" not in body
    assert "Withdrawn challenge" not in body


def test_a_draft_published_later_appears_once_as_published(client):
    record = InitiativeFactory(title="Later plan", published=False)
    edit(record, summary="Drafted")
    edit(record, published=True)

    changes = [c for c in client.get(CHANGES).context["listing"].changes if c.title == "Later plan"]

    assert len(changes) == 1 and changes[0].published


def test_the_kind_period_and_record_filters(client):
    InitiativeFactory(title="An initiative")
    VisitFactory(title="A visit")

    assert [c.title for c in client.get(CHANGES + "?kind=visit").context["listing"].changes] == ["A visit"]
    today = datetime.date.today()
    assert not client.get(CHANGES + f"?until={today - datetime.timedelta(days=2)}").context["listing"].changes
    assert len(client.get(CHANGES + f"?since={today - datetime.timedelta(days=2)}").context["listing"].changes) == 2
    record = Initiative.objects.get()
    assert [c.title for c in client.get(record.changes_url()).context["listing"].changes] == ["An initiative"]
    assert (
        f'href="{record.changes_url().replace("&", "&amp;")}"' in client.get(record.get_absolute_url()).content.decode()
    )


def test_unreadable_filters_are_explained_and_list_nothing(client):
    InitiativeFactory()
    response = client.get(CHANGES + "?since=yesterday&kind=planet")
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        "Enter a valid date." in body and "Select a valid choice. planet is not one of the available choices." in body
    )
    assert response.context["listing"].paginator.count == 0


def test_status_updates_show_only_with_public_evidence(client):
    record = InitiativeFactory(title="Support to EUFOR")
    public = Source.objects.create(title="NATO page", slug="nato-page", published=True, text=EUFOR)
    private = Source.objects.create(title="Memo", slug="memo", published=False, text=EUFOR)
    shown = StatusUpdate.objects.create(
        initiative=record, date=datetime.date(2025, 1, 1), date_precision="year", status="ongoing"
    )
    Citation.objects.create(status_update=shown, source=public, quote=EUFOR)
    hidden = StatusUpdate.objects.create(
        initiative=record, date=datetime.date(2026, 1, 1), date_precision="year", status="suspended"
    )
    Citation.objects.create(status_update=hidden, source=private, quote=EUFOR)

    updates = [c.update for c in client.get(CHANGES).context["listing"].changes if c.update]

    assert updates == [shown]


@pytest.mark.parametrize("count", [3, 30])
def test_the_changes_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    source = Source.objects.create(title="NATO page", slug="nato-page", published=True, text=EUFOR)
    for _ in range(count):
        record = InitiativeFactory(summary="first")
        edit(record, summary="second")
        ChallengeFactory()
        VisitFactory()
        update = StatusUpdate.objects.create(
            initiative=record, date=datetime.date(2025, 1, 1), date_precision="year", status="ongoing"
        )
        Citation.objects.create(status_update=update, source=source, quote=EUFOR)
    # the page's rows and their count; each kind's versions (3 kinds), and the versions before them of
    # the kind that has edits (a kind without any needs no query); the updates' versions, the updates
    # and their citations
    with django_assert_num_queries(1 + 2 + 3 + 1 + 3):  # and the data versions, read once a request
        assert client.get(CHANGES).status_code == 200
    with django_assert_num_queries(1):  # remembered, until the data changes: the data versions alone
        assert client.get(CHANGES).status_code == 200


def test_the_feed_carries_the_changes_and_a_stylesheet_for_browsers(client):
    record = InitiativeFactory(title="Partnership for Peace", summary="Old")
    edit(record, summary="New", reason="Mended")

    response = client.get(reverse("tracker:feed"))
    content = response.content.decode()

    assert response["Content-Type"].startswith("application/atom+xml")
    assert content.startswith(
        '<?xml version="1.0" encoding="utf-8"?>\n<?xml-stylesheet type="text/xsl" href="/static/feed.xsl"?>\n<feed'
    )
    assert content.count("<?xml ") == 1
    assert "Initiative: Partnership for Peace" in content
    assert "Summary: Old → New · Reason given: Mended" in content
    assert finders.find("feed.xsl")


def test_staff_give_the_reason_for_a_change_in_the_admin(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("root", is_staff=True, is_superuser=True))
    record = ChallengeFactory(title="Budget limits", summary="Before")
    citation = record.citations.get()
    form = {
        "title": record.title, "slug": record.slug, "category": record.category, "status": record.status,
        "summary": "After", "published": "on", "change_reason": "Figures from the 2025 visit",
        **inline_management("citations", 1, 1), **inline_management("status_updates"),
        "citations-0-id": citation.pk, "citations-0-source": citation.source_id,
        "citations-0-quote": citation.quote, "citations-0-challenge": record.pk,
    }  # fmt: skip

    response = client.post(reverse("admin:tracker_challenge_change", args=[record.pk]), form)

    assert response.status_code == 302
    change = client.get(CHANGES).context["listing"].changes[0]
    assert change.fields == [("summary", "Before", "After")] and change.reason == "Figures from the 2025 visit"
