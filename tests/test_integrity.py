"""Integrity rules that hold on every path: no "part of" cycles."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tracker.models import Initiative
from tracker.resources.importing import describe_errors

from .factories import InitiativeFactory, inline_management
from .test_resources import import_rows

pytestmark = pytest.mark.django_db

HEADER = "Slug,Title,Kind,Status,Part of\n"


def test_an_initiative_cannot_be_part_of_itself_or_of_its_own_part():
    whole = InitiativeFactory(slug="whole")
    part = InitiativeFactory(slug="part", parent=whole)
    part_of_part = InitiativeFactory(slug="part-of-part", parent=part)
    for initiative, parent in ((whole, whole), (whole, part), (whole, part_of_part)):
        initiative.parent = parent
        with pytest.raises(ValidationError) as error:
            initiative.full_clean()
        assert error.value.message_dict["parent"] == [
            "An initiative cannot be part of itself or of one of its own parts."
        ]
    whole.parent = None
    part_of_part.parent = whole  # moving a part elsewhere in the tree is fine
    part_of_part.full_clean()


def test_the_admin_refuses_a_cycle(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("root", is_staff=True, is_superuser=True))
    whole = InitiativeFactory(slug="whole", title="Whole")
    part = InitiativeFactory(slug="part", parent=whole)
    form = {
        "title": "Whole", "slug": "whole", "kind": whole.kind, "status": whole.status, "start_precision": "day",
        "end_precision": "day", "parent": part.pk, "published": "on",
        **inline_management("milestones"), **inline_management("citations"), **inline_management("status_updates"),
    }  # fmt: skip
    response = client.post(reverse("admin:tracker_initiative_change", args=[whole.pk]), form)
    assert response.status_code == 200
    assert "An initiative cannot be part of itself or of one of its own parts." in response.content.decode()
    whole.refresh_from_db()
    assert whole.parent is None


def test_an_import_refuses_a_cycle_within_the_file_naming_its_rows():
    result = import_rows(
        Initiative,
        HEADER + "a,A,Programme,Ongoing,b\nb,B,Programme,Ongoing,c\nc,C,Programme,Ongoing,a\nd,D,Programme,Ongoing,a\n",
    )
    errors = describe_errors(result)
    assert [line.split(":")[0] for line in errors] == [
        "Row 1, Part of",
        "Row 2, Part of",
        "Row 3, Part of",
        "Row 4, Part of",
    ]
    assert all("cannot be part of itself or of one of its own parts" in line for line in errors[:3])
    assert errors[3] == "Row 4, Part of: “a” is row 1 of this file, which has errors."
    assert not Initiative.objects.exists()


def test_an_import_refuses_a_cycle_through_the_database():
    whole = InitiativeFactory(slug="whole")
    InitiativeFactory(slug="part", parent=whole)
    result = import_rows(Initiative, HEADER + "whole,Whole,Programme,Ongoing,part\n")
    assert [line.split(":")[0] for line in describe_errors(result)] == ["Row 1, Part of"]
    whole.refresh_from_db()
    assert whole.parent is None


def test_checking_the_parts_of_1000_rows_takes_a_fixed_number_of_queries(django_assert_max_num_queries):
    InitiativeFactory(slug="root")
    rows = "".join(
        f"i{n},Initiative {n},Programme,Ongoing,{'root' if n % 10 == 0 else f'i{n - 1}'}\n" for n in range(1000)
    )
    with django_assert_max_num_queries(15):  # a fixed number, whatever the number of rows
        result = import_rows(Initiative, HEADER + rows, dry_run=True)
    assert describe_errors(result) == []
    assert result.totals["new"] == 1000
