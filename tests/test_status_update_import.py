"""Status updates import and export like every other model: by natural keys, with their evidence verified,
all rows or none; the admin previews them first."""

import datetime

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tracker.models import Citation, Initiative, Recommendation, StatusUpdate
from tracker.resources import RESOURCES
from tracker.resources.importing import describe_errors, import_dataset

pytestmark = pytest.mark.django_db

NATO_PAGE = "nato-relations-with-bosnia-and-herzegovina"
EUFOR = "NATO provides support to EUFOR Operation Althea under the Berlin Plus Agreements."
HEADER = "Initiative,Challenge,Recommendation,Date,Status,Completion,Note,Source,Quote\n"


def import_updates(csv_text, dry_run=False, user=None):
    dataset = tablib.Dataset().load(csv_text, format="csv")
    return import_dataset(RESOURCES[StatusUpdate](), dataset, dry_run=dry_run, user=user)


def dcb():
    return Initiative.objects.get(slug="dcb-package-2023")


def test_an_imported_update_with_its_evidence_sets_the_records_status(seeded, django_user_model):
    user = django_user_model.objects.create_user("analyst")
    result = import_updates(
        f'{HEADER}dcb-package-2023,,,2025-09,Completed,Complete,Delivered.,{NATO_PAGE},"{EUFOR}"\n', user=user
    )

    assert describe_errors(result) == [] and result.totals["new"] == 1
    update = dcb().status_updates.get(date=datetime.date(2025, 9, 1))
    assert (update.date_precision, update.status, update.completion, update.note) == (
        "month", "completed", "complete", "Delivered."
    )  # fmt: skip
    citation = update.citations.get()
    assert citation.verified and citation.source.slug == NATO_PAGE
    assert citation.history.get().history_user == user
    assert dcb().status == "completed"


def test_reimporting_the_export_of_the_fixtures_changes_nothing(seeded):
    exported = RESOURCES[StatusUpdate]().export()
    assert len(exported) == StatusUpdate.objects.count() == 6
    before = list(Citation.objects.filter(status_update__isnull=False).values_list("pk", "quote"))

    result = import_dataset(RESOURCES[StatusUpdate](), tablib.Dataset().load(exported.csv, format="csv"), dry_run=False)

    assert describe_errors(result) == []
    assert result.totals["skip"] == 6 and result.totals["new"] == result.totals["update"] == 0
    assert list(Citation.objects.filter(status_update__isnull=False).values_list("pk", "quote")) == before


def test_a_status_is_read_in_the_records_own_statuses_in_any_language(seeded):
    with translation.override("bs"):
        exported = RESOURCES[StatusUpdate]().export()
    assert "U toku" in exported.csv  # "Ongoing", as a Bosnian spreadsheet shows it
    rec = Recommendation.objects.published().first()
    result = import_updates(f'{HEADER},,{rec.slug},2026-10,U provođenju,,,{NATO_PAGE},"{EUFOR}"\n')
    assert describe_errors(result) == []
    assert rec.status_updates.get().status == "in_progress"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("dcb-package-2023,,,2025-09,Completed,,,,", "Row 1, Quote: A status update needs its evidence"),
        (f"dcb-package-2023,,,2025-09,Completed,,,{NATO_PAGE},Allies agreed to build a new base.",
         "Row 1, Quote: “Allies agreed to build a new base.” is not in the archived text"),
        (f"dcb-package-2023,,,2025-09,Implemented,,,{NATO_PAGE},\"{EUFOR}\"",
         "Row 1, Status: “Implemented” is not one of “Planned”, “Ongoing”, “Completed”, “Suspended”"),
        (f"no-such-initiative,,,2025-09,Completed,,,{NATO_PAGE},\"{EUFOR}\"",
         "Row 1, Initiative: unknown initiative “no-such-initiative”"),
        (f"dcb-package-2023,,,31.02.2025.,Completed,,,{NATO_PAGE},\"{EUFOR}\"", "Row 1, Date:"),
        (f",,,2025-09,Ongoing,,,{NATO_PAGE},\"{EUFOR}\"",
         "Row 1: A status update belongs to exactly one initiative, challenge or recommendation."),
    ],
)  # fmt: skip
def test_a_bad_row_is_named_and_nothing_is_written(seeded, row, message):
    good = f'dcb-package-2023,,,2026-01,Completed,,,{NATO_PAGE},"{EUFOR}"\n'
    updates, citations, status = StatusUpdate.objects.count(), Citation.objects.count(), dcb().status

    result = import_updates(f"{HEADER}{row}\n{good}")

    problems = describe_errors(result)
    assert any(problem.startswith(message) for problem in problems), problems
    assert (StatusUpdate.objects.count(), Citation.objects.count(), dcb().status) == (updates, citations, status)


def test_the_admin_previews_an_update_file_then_imports_it(client, editor, seeded):
    csv = f'{HEADER}dcb-package-2023,,,2025-09,Completed,,,{NATO_PAGE},"{EUFOR}"\n'
    preview = client.post(
        reverse("admin:tracker_statusupdate_import"),
        {"import_file": SimpleUploadedFile("updates.csv", csv.encode()), "format": "0", "resource": "0"},
    )
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "dcb-package-2023" in body and EUFOR in body  # the evidence is previewed with the update
    assert not dcb().status_updates.filter(date=datetime.date(2025, 9, 1)).exists()

    confirm = preview.context["confirm_form"]
    response = client.post(reverse("admin:tracker_statusupdate_process_import"), {**confirm.initial, "resource": "0"})

    assert response.status_code == 302
    assert dcb().status_updates.get(date=datetime.date(2025, 9, 1)).citations.get().verified
    assert dcb().status == "completed"


def test_an_import_cannot_set_a_status_against_the_records_updates_and_checks_it_without_a_query_a_row(
    seeded, django_assert_max_num_queries
):
    exported = RESOURCES[Initiative]().export()
    headers = exported.headers
    summary, status, slug = (headers.index(name) for name in ("Summary", "Status", "Slug"))

    def file(change):
        rows = tablib.Dataset(headers=headers)
        for row in exported:
            row = list(row)
            row[summary] = f"{row[summary]} Checked."
            change(row)
            rows.append(row)
        return rows

    with django_assert_max_num_queries(40):  # every one of the 32 rows changed and checked
        result = import_dataset(RESOURCES[Initiative](), file(lambda row: None), dry_run=True)
    assert describe_errors(result) == [] and result.totals["update"] == 32

    def complete_dcb(row):
        if row[slug] == "dcb-package-2023":
            row[status] = "Completed"

    result = import_dataset(RESOURCES[Initiative](), file(complete_dcb), dry_run=False)
    problems = describe_errors(result)
    assert len(problems) == 1 and problems[0].endswith(
        ", Status: The status is the one its latest status update sets (Ongoing): to change it, "
        "add a dated status update with its evidence."
    )
    assert dcb().status == "ongoing"
