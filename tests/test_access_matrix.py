"""Who gets what: anonymous, Viewer, Editor and superuser against public, admin and import/export URLs."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from .factories import ChallengeFactory, InitiativeFactory, RecommendationFactory, VisitFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "viewer", "editor", "superuser"]
OK, LOGIN, DENIED, NOT_FOUND = 200, 302, 403, 404


@pytest.fixture
def records():
    return {
        "published": InitiativeFactory(title="Published initiative"),
        "draft": InitiativeFactory(title="Draft initiative", published=False),
    }


def as_role(client, django_user_model, role):
    if role == "anonymous":
        return
    user = django_user_model.objects.create_user(role, is_staff=True, is_superuser=role == "superuser")
    if role in ("viewer", "editor"):
        user.groups.add(Group.objects.get(name=f"{role.capitalize()}s"))
    client.force_login(user)


def expected(role, anonymous, viewer, editor, superuser):
    return {"anonymous": anonymous, "viewer": viewer, "editor": editor, "superuser": superuser}[role]


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, django_user_model, staff_groups, records, role):
    as_role(client, django_user_model, role)
    draft, published = records["draft"], records["published"]
    cases = [
        (reverse("tracker:initiative-list"), (OK, OK, OK, OK)),
        (published.get_absolute_url(), (OK, OK, OK, OK)),
        (draft.get_absolute_url(), (NOT_FOUND,) * 4),  # drafts are for the admin, not the public site
        (reverse("admin:index"), (LOGIN, OK, OK, OK)),
        (reverse("admin:tracker_initiative_changelist"), (LOGIN, OK, OK, OK)),
        (reverse("admin:tracker_initiative_change", args=[draft.pk]), (LOGIN, OK, OK, OK)),
        (reverse("admin:tracker_initiative_add"), (LOGIN, DENIED, OK, OK)),
        (reverse("admin:tracker_initiative_import"), (LOGIN, DENIED, OK, OK)),
        (reverse("admin:tracker_initiative_export"), (LOGIN, OK, OK, OK)),
        (reverse("admin:tracker_initiative_history", args=[draft.pk]), (LOGIN, OK, OK, OK)),
        (
            reverse("admin:tracker_source_delete", args=[published.citations.get().source.pk]),
            (LOGIN, DENIED, DENIED, OK),
        ),
        (reverse("admin:auth_user_changelist"), (LOGIN, DENIED, DENIED, OK)),
    ]
    for url, statuses in cases:
        assert client.get(url).status_code == expected(role, *statuses), url


def test_drafts_never_reach_any_public_page(client):
    InitiativeFactory(title="Public anchor")
    draft_records = [
        InitiativeFactory(title="Secret initiative", published=False),
        ChallengeFactory(title="Secret challenge", published=False),
        RecommendationFactory(title="Secret recommendation", published=False),
        VisitFactory(title="Secret visit", published=False),
    ]
    urls = [
        reverse(f"tracker:{name}")
        for name in (
            "home",
            "timeline",
            "feed",
            "source-list",
            "initiative-list",
            "challenge-list",
            "recommendation-list",
            "visit-list",
            "initiative-csv",
            "challenge-csv",
            "recommendation-csv",
            "visit-csv",
        )
    ]
    urls += [record.citations.get().source.get_absolute_url() for record in draft_records]
    for url in urls:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"Secret" not in body, url
