"""Who may do what in the admin: Editors keep the data current, Viewers read and export."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tracker.models import Challenge, Initiative, Source
from tracker.resources import RESOURCES, RESOURCES_BY_NAME

from .factories import ChallengeFactory, InitiativeFactory, SourceFactory, inline_management

pytestmark = pytest.mark.django_db

MODELS = [model._meta.model_name for model in RESOURCES]


def login(client, django_user_model, group=None, **flags):
    user = django_user_model.objects.create_user(group or "superuser", password="x", is_staff=True, **flags)
    if group:
        user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


@pytest.fixture
def viewer(client, django_user_model, staff_groups):
    return login(client, django_user_model, "Viewers")


@pytest.fixture
def editor(client, django_user_model, staff_groups):
    return login(client, django_user_model, "Editors")


@pytest.fixture
def superuser(client, django_user_model):
    return login(client, django_user_model, is_superuser=True)


def admin_url(model, view, *args):
    return reverse(f"admin:tracker_{model}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, model):
    for view in ("changelist", "import", "export", "add"):
        response = client.get(admin_url(model, view))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("model", MODELS)
def test_a_viewer_can_read_and_export_but_not_import_add_or_edit(client, viewer, model):
    changelist = client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    content = changelist.content.decode()
    assert admin_url(model, "export") in content
    assert admin_url(model, "import") not in content
    assert admin_url(model, "add") not in content

    assert client.get(admin_url(model, "export")).status_code == 200
    assert client.get(admin_url(model, "import")).status_code == 403
    assert client.post(admin_url(model, "process_import"), {}).status_code == 403
    assert client.get(admin_url(model, "add")).status_code == 403


def test_a_viewer_cannot_change_a_record(client, viewer):
    challenge = ChallengeFactory(title="Original")
    response = client.post(admin_url("challenge", "change", challenge.pk), {"title": "Changed"})
    assert response.status_code == 403
    challenge.refresh_from_db()
    assert challenge.title == "Original"


@pytest.mark.parametrize("model", MODELS)
def test_an_editor_can_import_export_and_add_everything(client, editor, model):
    content = client.get(admin_url(model, "changelist")).content.decode()
    for view in ("import", "export", "add"):
        assert admin_url(model, view) in content
        assert client.get(admin_url(model, view)).status_code == 200


def test_an_editor_cannot_delete_a_source_but_can_delete_a_record(client, editor):
    source = SourceFactory()
    initiative = InitiativeFactory()
    assert client.post(admin_url("source", "delete", source.pk), {"post": "yes"}).status_code == 403
    assert Source.objects.filter(pk=source.pk).exists()
    assert client.post(admin_url("initiative", "delete", initiative.pk), {"post": "yes"}).status_code == 302
    assert not Initiative.objects.filter(pk=initiative.pk).exists()


def test_publish_action_publishes_only_cited_records_and_records_history(client, editor):
    cited = ChallengeFactory(title="Cited", published=False)
    uncited = ChallengeFactory(title="Uncited", published=False, cited=False)

    response = client.post(
        admin_url("challenge", "changelist"),
        {"action": "publish", "_selected_action": [cited.pk, uncited.pk]},
        follow=True,
    )

    assert set(Challenge.objects.published().values_list("title", flat=True)) == {"Cited"}
    assert "1 record has no citation and stays a draft." in response.content.decode()
    assert cited.history.latest().history_user == editor


def test_unpublish_action(client, editor):
    challenge = ChallengeFactory()
    client.post(admin_url("challenge", "changelist"), {"action": "unpublish", "_selected_action": [challenge.pk]})
    challenge.refresh_from_db()
    assert challenge.published is False


def test_a_viewer_has_no_publish_action(client, viewer):
    challenge = ChallengeFactory(published=False)
    client.post(admin_url("challenge", "changelist"), {"action": "publish", "_selected_action": [challenge.pk]})
    challenge.refresh_from_db()
    assert challenge.published is False


def challenge_form(**overrides):
    data = {
        "title": "Defence budget limitations",
        "slug": "defence-budget-limitations",
        "category": "resources",
        "status": "open",
        "published": "on",
        **inline_management("citations"),
        **inline_management("status_updates"),
    }
    return {**data, **overrides}


def test_publishing_in_the_admin_needs_a_citation(client, editor):
    response = client.post(admin_url("challenge", "add"), challenge_form())
    assert response.status_code == 200
    assert "A record needs at least one citation before it is published." in response.content.decode()
    assert not Challenge.objects.exists()


def test_a_user_who_cannot_publish_gets_an_error_not_a_crash(client, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("changer", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["change_challenge", "view_challenge", "delete_citation"])
    )
    client.force_login(user)
    challenge = ChallengeFactory()
    citation = challenge.citations.get()
    form = challenge_form(
        **{
            "citations-TOTAL_FORMS": "1",
            "citations-INITIAL_FORMS": "1",
            "citations-0-id": citation.pk,
            "citations-0-challenge": challenge.pk,
            "citations-0-source": citation.source.pk,
            "citations-0-quote": citation.quote,
            "citations-0-DELETE": "on",
        }
    )
    form.pop("published")
    response = client.post(admin_url("challenge", "change", challenge.pk), form)
    assert response.status_code == 200
    assert "A record needs at least one citation before it is published." in response.content.decode()
    assert challenge.citations.exists()


def test_a_record_and_its_first_citation_are_published_in_one_save(client, editor):
    source = SourceFactory()
    response = client.post(
        admin_url("challenge", "add"),
        challenge_form(
            **{
                "citations-TOTAL_FORMS": "1",
                "citations-0-source": source.pk,
                "citations-0-quote": "Defence budget limitations: Affecting modernization",
            }
        ),
    )
    assert response.status_code == 302, [f.formset.errors for f in response.context["inline_admin_formsets"]]
    challenge = Challenge.objects.get()
    assert challenge.published and challenge.citations.get().source == source


def test_admin_export_honours_the_changelist_filters_and_neutralises_formulas(client, viewer):
    ChallengeFactory(title="=Open one", status="open")
    ChallengeFactory(title="Resolved one", status="resolved")

    fields = {f"challengeresource_{name}": "on" for name in ("slug", "title", "status")}
    response = client.post(
        admin_url("challenge", "export") + "?status__exact=open", {"format": "0", "resource": "0", **fields}
    )

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["Title"] for row in rows] == ["'=Open one"]


def test_history_page_shows_who_changed_what(client, superuser):
    challenge = ChallengeFactory(title="Before")
    challenge._history_user = superuser
    challenge.title = "After"
    challenge.save()
    content = client.get(admin_url("challenge", "history", challenge.pk)).content.decode()
    assert "After" in content and superuser.username in content


@pytest.mark.parametrize("model", MODELS)
def test_every_admin_page_opens_for_a_superuser(client, superuser, model):
    InitiativeFactory()
    for view in ("changelist", "add", "import", "export"):
        assert client.get(admin_url(model, view)).status_code == 200
    obj = RESOURCES_BY_NAME[model]._meta.model.objects.first()
    if obj is not None:
        for view in ("change", "history"):
            assert client.get(admin_url(model, view, obj.pk)).status_code == 200
