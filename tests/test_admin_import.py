"""The admin's two-step import: upload → preview (nothing written) → confirm; bad files explained."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from tracker.models import Challenge

from .factories import ChallengeFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:tracker_challenge_import")
CONFIRM_URL = reverse("admin:tracker_challenge_process_import")
CSV, XLSX, JSON, ODS = "0", "1", "2", "3"
GOOD_CSV = "Title,Category,Status\nDefence budget limitations,Budget and resources,Open\n"


def upload(client, content, name="challenges.csv", file_format=CSV):
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    return client.post(
        IMPORT_URL, {"import_file": SimpleUploadedFile(name, data), "format": file_format, "resource": "0"}
    )


def xlsx(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_preview_writes_nothing_and_confirm_imports(client, editor):
    preview = upload(client, GOOD_CSV)

    assert preview.status_code == 200
    assert "Defence budget limitations" in preview.content.decode()
    assert not Challenge.objects.exists()
    confirm_form = preview.context["confirm_form"]

    response = client.post(CONFIRM_URL, {**confirm_form.initial, "resource": "0"})

    assert response.status_code == 302
    challenge = Challenge.objects.get()
    assert challenge.title == "Defence budget limitations"
    assert challenge.history.get().history_user == editor


def test_xlsx_and_json_import_too(client, editor):
    preview = upload(client, xlsx([["Title", "Category"], ["From Excel", "Budget and resources"]]), "c.xlsx", XLSX)
    assert preview.context.get("confirm_form") is not None
    preview = upload(client, '[{"Title": "From JSON", "Category": "political"}]', "c.json", JSON)
    assert preview.context.get("confirm_form") is not None


@pytest.mark.parametrize(
    ("content", "name", "file_format", "message"),
    [
        (GOOD_CSV.encode() + b"\x81\x98\n", "unknown.csv", CSV, "not UTF-8, Windows-1250 or ISO-8859-2 text"),
        (GOOD_CSV.replace(",", "|"), "pipes.csv", CSV, "seems to use another separator"),
        ("Category,Status\nBudget and resources,Open\n", "missing.csv", CSV, "missing columns “Title”"),
        ("Title,Category,Colour\nX,Budget and resources,red\n", "extra.csv", CSV, "unknown columns “Colour”"),
        (b"", "empty.csv", CSV, "The submitted file is empty."),
        ("Title,Category\n", "header-only.csv", CSV, "no rows to import"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.csv", CSV, "binary file"),
        (GOOD_CSV, "not-excel.xlsx", XLSX, "not an Excel .xlsx file"),
        ("{not json", "broken.json", JSON, "could not be read as JSON"),
        ("Title,Category\nX,Unknown category\n", "bad-choice.csv", CSV, "“Unknown category” is not one of"),
    ],
)
def test_bad_files_get_a_clear_message_and_change_nothing(client, editor, content, name, file_format, message):
    ChallengeFactory(title="Already there")

    response = upload(client, content, name, file_format)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context.get("confirm_form") is None
    assert list(Challenge.objects.values_list("title", flat=True)) == ["Already there"]


@override_settings(TRACKER_IMPORT_MAX_BYTES=100)
def test_a_file_over_the_size_limit_is_refused(client, editor):
    response = upload(client, GOOD_CSV + "Another challenge,Budget and resources,Open\n" * 5)
    assert "the limit is 100\xa0bytes" in response.content.decode()
    assert not Challenge.objects.exists()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_utf8_with_bom_and_utf16_files_import(client, editor, encoding):
    preview = upload(client, "Title,Category\nOdbrambeni budžet,Budget and resources\n".encode(encoding))
    assert preview.context.get("confirm_form") is not None
    client.post(CONFIRM_URL, {**preview.context["confirm_form"].initial, "resource": "0"})
    assert Challenge.objects.get().title == "Odbrambeni budžet"


def test_an_invalid_row_means_no_confirm_button_and_nothing_written(client, editor):
    content = GOOD_CSV + "Second,Nonsense,Open\n"
    response = upload(client, content)
    assert response.context.get("confirm_form") is None
    assert "“Nonsense” is not one of" in response.content.decode()
    assert not Challenge.objects.exists()


@pytest.mark.parametrize("file_name", ["../../etc/passwd", "expired-or-unknown"])
def test_confirming_an_expired_or_forged_preview_asks_to_upload_again(client, editor, file_name):
    response = client.post(
        CONFIRM_URL,
        {"import_file_name": file_name, "original_file_name": "x.csv", "format": CSV, "resource": "0"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == IMPORT_URL
    assert "The preview has expired" in response.content.decode()
    assert not Challenge.objects.exists()


def test_a_wrong_header_row_is_one_clear_message_without_a_traceback(client, editor):
    response = upload(client, "Wrong,Header\n1,2\n")
    page = response.content.decode()
    assert "The file&#x27;s columns do not match: missing columns “Title”, “Category”" in page
    assert "Traceback" not in page and "rows_by_slug" not in page and ".py" not in page
    assert response.context.get("confirm_form") is None


def test_a_file_of_100000_columns_gets_a_short_message(client, editor):
    columns = ",".join(f"c{n}" for n in range(100_000))
    response = upload(client, f"{columns}\n{columns}\n")
    assert "The file has 100,000 columns; a tracker file has at most 100." in response.content.decode()
    assert len(response.content) < 100_000


@override_settings(TRACKER_IMPORT_MAX_ROWS=50)
def test_a_file_with_more_rows_than_the_admin_previews_is_refused_with_what_to_do(client, editor):
    rows = "".join(f"Challenge {n},Budget and resources,Open\n" for n in range(51))
    response = upload(client, "Title,Category,Status\n" + rows)
    assert "The file has 51 rows; an import in the admin takes at most 50." in response.content.decode()
    assert not Challenge.objects.exists()


def test_an_xlsx_that_unpacks_to_a_huge_sheet_is_refused_before_it_is_read(client, editor):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", " " * (60 * 1024 * 1024))
    assert len(buffer.getvalue()) < 200_000
    response = upload(client, buffer.getvalue(), name="bomb.xlsx", file_format=XLSX)
    assert "This spreadsheet unpacks to 60.0\u00a0MB; the limit is 50.0\u00a0MB." in response.content.decode()


def waiting_previews():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tracker_cache WHERE cache_key LIKE %s", ["%django-import-export-%"])
        return cursor.fetchone()[0]


def test_a_preview_that_cannot_be_confirmed_leaves_no_file_waiting(client, editor):
    before = waiting_previews()
    upload(client, "Title,Category\nX,Unknown category\n")
    assert waiting_previews() == before
    upload(client, GOOD_CSV)
    assert waiting_previews() == before + 1
