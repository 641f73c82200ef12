"""Dated, cited status updates: the latest sets the record's status, and the record's page shows them all."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tracker.models import Citation, Initiative, Source, StatusUpdate

from .factories import InitiativeFactory, inline_management

pytestmark = pytest.mark.django_db

NATO_PAGE = "nato-relations-with-bosnia-and-herzegovina"
ENDORSED = "NATO Defence Ministers endorsed the new DCB package for Bosnia and Herzegovina in February 2023."
EUFOR = "NATO provides support to EUFOR Operation Althea under the Berlin Plus Agreements."


@pytest.fixture
def superuser(client, django_user_model):
    user = django_user_model.objects.create_user("root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def initiative_form(initiative, update=None):
    """The initiative's admin change form as the browser posts it, with one new status update if given."""
    data = {
        "title": initiative.title,
        "slug": initiative.slug,
        "kind": initiative.kind,
        "status": initiative.status,
        "start_precision": "day",
        "end_precision": "day",
        "published": "on" if initiative.published else "",
        **inline_management("milestones"),
        **inline_management("citations", initial=initiative.citations.count(), total=initiative.citations.count()),
        **inline_management("status_updates", total=1 if update else 0),
    }
    for index, citation in enumerate(initiative.citations.all()):
        data.update(
            {
                f"citations-{index}-id": citation.pk,
                f"citations-{index}-source": citation.source_id,
                f"citations-{index}-quote": citation.quote,
                f"citations-{index}-initiative": initiative.pk,
            }
        )
    if update:
        data.update({f"status_updates-0-{key}": value for key, value in update.items()})
        data["status_updates-0-initiative"] = initiative.pk
    return data


def test_the_fixtures_date_the_dcb_package_from_agreed_to_endorsed_with_their_evidence(client, seeded):
    page = client.get("/initiatives/dcb-package-2023/")
    body = page.content.decode()
    updates = page.context["record"].public_updates

    assert [(str(u.when), u.status) for u in updates] == [("2022", "planned"), ("Feb 2023", "ongoing")]
    assert "as of Feb 2023, according to Relations with Bosnia and Herzegovina" in body
    assert '<h2 id="status-history-heading">Status history</h2>' in body
    assert body.index("Allies agree at the Madrid summit") < body.index("Allied Defence Ministers endorse the package")
    assert ENDORSED in body
    assert "Latest evidence" in body and '<time datetime="2023-02">Feb 2023</time>' in body


def test_a_status_the_documents_do_not_date_stays_undated(client, seeded):
    body = client.get("/initiatives/individual-tailored-partnership-programme/").content.decode()
    assert "Status history" not in body and "as of" not in body and "Latest evidence" not in body


def test_the_latest_update_sets_the_status_and_removing_it_restores_the_one_before(seeded):
    dcb = Initiative.objects.get(slug="dcb-package-2023")
    later = StatusUpdate.objects.create(
        initiative=dcb, date=datetime.date(2025, 1, 1), date_precision="year", status="completed"
    )
    dcb.refresh_from_db()
    assert dcb.status == "ongoing"  # an update counts once its evidence is saved

    Citation.objects.create(status_update=later, source=Source.objects.get(slug=NATO_PAGE), quote=EUFOR)
    dcb.refresh_from_db()
    assert dcb.status == "completed"
    assert dcb.history.first().history_change_reason == "Status set by its latest update"

    later.delete()
    dcb.refresh_from_db()
    assert dcb.status == "ongoing"


def test_an_update_takes_only_its_records_statuses():
    update = StatusUpdate(initiative=InitiativeFactory(), date=datetime.date(2025, 1, 1), status="implemented")
    with pytest.raises(ValidationError) as error:
        update.full_clean()
    assert error.value.message_dict["status"] == ["Choose one of: Planned, Ongoing, Completed, Suspended."]


def test_an_update_belongs_to_exactly_one_record():
    with pytest.raises(ValidationError, match="exactly one initiative, challenge or recommendation"):
        StatusUpdate(date=datetime.date(2025, 1, 1), status="ongoing").full_clean()


def test_an_update_added_in_the_admin_shows_on_the_records_page_at_once(client, superuser, seeded):
    dcb = Initiative.objects.get(slug="dcb-package-2023")
    assert "Completion: Substantial" not in client.get(dcb.get_absolute_url()).content.decode()
    source = Source.objects.get(slug=NATO_PAGE)
    update = {
        "date": "2025-09-01", "date_precision": "month", "status": "ongoing", "completion": "substantial",
        "note": "Support continues.", "source": source.pk, "quote": EUFOR,
    }  # fmt: skip

    response = client.post(reverse("admin:tracker_initiative_change", args=[dcb.pk]), initiative_form(dcb, update))

    assert response.status_code == 302, response.context["errors"] if response.context else response
    added = dcb.status_updates.get(date=datetime.date(2025, 9, 1))
    assert added.citations.get().verified
    body = client.get(dcb.get_absolute_url()).content.decode()
    assert "Completion: Substantial" in body and "Support continues." in body
    assert "as of Sep 2025, according to" in body
    assert f'id="update-{added.pk}"' in body


@pytest.mark.parametrize(
    ("evidence", "message"),
    [
        ({}, "A status update needs its evidence: choose the source and give the quote."),
        ({"quote": "Allies agreed to build a new headquarters in Sarajevo."}, "is not in the archived text"),
    ],
)
def test_the_admin_refuses_an_update_without_verified_evidence(client, superuser, seeded, evidence, message):
    dcb = Initiative.objects.get(slug="dcb-package-2023")
    source = Source.objects.get(slug=NATO_PAGE)
    update = {"date": "2025-09-01", "date_precision": "month", "status": "completed", "completion": ""}
    if evidence:
        update |= {"source": source.pk, **evidence}

    response = client.post(reverse("admin:tracker_initiative_change", args=[dcb.pk]), initiative_form(dcb, update))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert dcb.status_updates.count() == 2
    dcb.refresh_from_db()
    assert dcb.status == "ongoing"


def test_an_updates_own_admin_page_refuses_to_drop_its_last_citation(client, superuser, seeded):
    update = StatusUpdate.objects.get(initiative__slug="partnership-for-peace")
    citation = update.citations.get()
    form = {
        "initiative": update.initiative_id, "date": "2006-01-01", "date_precision": "year", "status": "ongoing",
        "completion": "", "note": update.note, **inline_management("citations", total=1, initial=1),
        "citations-0-id": citation.pk, "citations-0-source": citation.source_id, "citations-0-quote": citation.quote,
        "citations-0-status_update": update.pk, "citations-0-DELETE": "on",
    }  # fmt: skip

    response = client.post(reverse("admin:tracker_statusupdate_change", args=[update.pk]), form)

    assert response.status_code == 200
    assert "A status update needs at least one citation." in response.content.decode()
    assert update.citations.exists()


def test_updates_whose_only_source_is_unpublished_are_not_shown(client, seeded):
    source = Source.objects.create(title="Internal memo", slug="memo", published=False, text=EUFOR)
    dcb = Initiative.objects.get(slug="dcb-package-2023")
    hidden = StatusUpdate.objects.create(
        initiative=dcb, date=datetime.date(2026, 1, 1), date_precision="year", status="suspended"
    )
    Citation.objects.create(status_update=hidden, source=source, quote=EUFOR)

    page = client.get(dcb.get_absolute_url())

    assert [u.status for u in page.context["record"].public_updates] == ["planned", "ongoing"]
    assert "Internal memo" not in page.content.decode()


def test_lists_filter_by_updated_since_and_sort_by_the_latest_update(client, seeded):
    since = client.get("/initiatives/?updated_since=2019-01-01")
    assert [r.slug for r in since.context["object_list"]] == ["reform-programme", "dcb-package-2023"]
    assert not client.get("/challenges/?updated_since=2000-01-01").context["object_list"]

    dated = ["dcb-package-2023", "reform-programme", "membership-action-plan", "partnership-for-peace"]
    newest_first = [r.slug for r in client.get("/initiatives/?sort=-updated").context["object_list"]]
    assert newest_first[:5] == [*dated, "stabilisation-force-sfor"]
    oldest_first = [r.slug for r in client.get("/initiatives/?sort=updated").context["object_list"]]
    assert oldest_first[:5] == ["stabilisation-force-sfor", *reversed(dated)]  # records never updated come last
    assert "Latest status update" in client.get("/initiatives/").content.decode()


def test_an_unreadable_updated_since_is_explained(client, seeded):
    response = client.get("/recommendations/?updated_since=last-week")
    assert response.status_code == 200 and "Enter a valid date." in response.content.decode()


def test_the_quarterly_chart_counts_each_record_by_its_latest_update_at_each_quarters_end():
    from tracker.charts import status_by_quarter

    statuses = [("planned", "Planned"), ("ongoing", "Ongoing"), ("completed", "Completed")]
    updates = [
        (1, datetime.date(2022, 1, 1), "planned"),
        (2, datetime.date(2022, 3, 31), "planned"),
        (1, datetime.date(2022, 4, 1), "ongoing"),  # the first day of Q2: not yet at the end of Q1
        (2, datetime.date(2022, 10, 1), "completed"),
    ]
    chart = status_by_quarter(statuses, updates, datetime.date(2023, 1, 15), "/initiatives/")

    standing = {c["label"]: {b["status"]: b["count"] for b in c["bands"]} for c in chart["columns"]}
    assert list(standing) == ["Q1 2022", "Q2 2022", "Q3 2022", "Q4 2022", "Q1 2023"]
    assert standing["Q1 2022"] == {"planned": 2}
    assert standing["Q2 2022"] == {"planned": 1, "ongoing": 1}
    assert standing["Q4 2022"] == standing["Q1 2023"] == {"ongoing": 1, "completed": 1}
    assert chart["legend"][1] == ("ongoing", "Ongoing", 1, "/initiatives/?status=ongoing")
    assert status_by_quarter(statuses, [], datetime.date(2023, 1, 15), "/initiatives/") is None


def test_the_home_page_draws_the_initiatives_quarter_by_quarter_from_the_fixtures(client, seeded):
    body = client.get("/").content.decode()
    assert "Initiatives, quarter by quarter" in body
    assert '<a href="/initiatives/?status=completed" aria-label="Q4 2004: Completed, 1">' in body
    assert 'aria-label="Q1 2023: Ongoing, 4"' in body  # PfP, MAP, the Reform Programme and the DCB package
    assert "No dated status updates yet." in body  # the recommendations: the documents date none


def test_a_status_set_by_dated_updates_changes_only_by_a_new_update(client, superuser, seeded):
    dcb = Initiative.objects.get(slug="dcb-package-2023")
    dcb.status = "completed"
    with pytest.raises(ValidationError) as error:
        dcb.full_clean()
    assert error.value.message_dict["status"] == [
        "The status is the one its latest status update sets (Ongoing): to change it, add a dated status update "
        "with its evidence."
    ]

    page = client.get(reverse("admin:tracker_initiative_change", args=[dcb.pk])).content.decode()
    assert 'name="status"' not in page  # shown, not offered for editing
    dcb.refresh_from_db()
    response = client.post(
        reverse("admin:tracker_initiative_change", args=[dcb.pk]), {**initiative_form(dcb), "status": "completed"}
    )
    assert response.status_code == 302
    dcb.refresh_from_db()
    assert dcb.status == "ongoing"


def test_a_status_no_update_dates_is_edited_as_before(client, superuser, seeded):
    undated = Initiative.objects.published().filter(status_updates__isnull=True).first()
    page = client.get(reverse("admin:tracker_initiative_change", args=[undated.pk])).content.decode()
    assert 'name="status"' in page
    undated.status = "suspended"
    undated.full_clean()
