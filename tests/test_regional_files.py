"""Imports take the files people in the region really have: Excel's Windows-1250 CSV with semicolons,
LibreOffice's ODS and XLSX, ISO-8859-2, regional dates and amounts; each reads to the same data."""

import csv
import datetime
import io
import os
import shutil
import subprocess
from decimal import Decimal

import pytest
import tablib
from django.urls import reverse
from import_export.formats import base_formats

from tracker.models import Challenge, Initiative
from tracker.resources import RESOURCES
from tracker.resources.importing import CSV as CsvFormat
from tracker.resources.importing import ODS as OdsFormat
from tracker.resources.importing import ImportFileError, import_dataset, read_upload

from .factories import ChallengeFactory, FocusAreaFactory

LETTERS = "č ć đ š ž Č Ć Đ Š Ž"
SOFFICE = shutil.which("soffice")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"), reason="LibreOffice (libreoffice-calc-nogui) is not installed"
)


def challenges():
    """The challenges as an export holds them, and their rows as staff see them."""
    dataset = RESOURCES[Challenge]().export()
    return dataset, sorted(map(tuple, dataset))


def as_excel_saves_it(dataset):
    """What Excel in a Bosnian, Croatian or Serbian locale writes for "CSV": Windows-1250, semicolons, CRLF."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(dataset.headers)
    writer.writerows(dataset)
    return text.getvalue().encode("windows-1250")


def import_file(data, file_format, **options):
    read = read_upload(data, file_format, **options)
    return read, import_dataset(RESOURCES[Challenge](), read.dataset, dry_run=False)


@pytest.fixture
def with_regional_letters(seeded):
    ChallengeFactory(title=f"Saradnja i suradnja: {LETTERS}", summary=f"Sažetak: {LETTERS}", category="political")


def test_a_windows_1250_semicolon_csv_reads_to_the_same_data_as_the_utf8_original(with_regional_letters):
    dataset, before = challenges()
    Challenge.objects.filter(title__startswith="Saradnja").delete()

    read, result = import_file(as_excel_saves_it(dataset), CsvFormat())

    assert read.described == "Windows-1250, semicolons"
    assert (result.totals["new"], result.totals["skip"], result.totals["invalid"]) == (1, 20, 0)
    assert challenges()[1] == before
    assert Challenge.objects.get(title__startswith="Saradnja").title == f"Saradnja i suradnja: {LETTERS}"


def test_an_iso_8859_2_csv_is_told_apart_from_windows_1250_by_its_letters(with_regional_letters):
    dataset, before = challenges()
    subset = tablib.Dataset(*[row for row in dataset if is_latin2(row)], headers=dataset.headers)  # all it can hold
    read, result = import_file(subset.csv.encode("iso-8859-2"), CsvFormat())
    assert read.described == "ISO-8859-2, commas"
    assert result.totals["skip"] == len(subset) > 1 and challenges()[1] == before
    assert any("Saradnja" in row[1] for row in subset)


def is_latin2(row):
    try:
        "".join(map(str, row)).encode("iso-8859-2")
    except UnicodeEncodeError:
        return False
    return True


def test_a_file_that_reads_alike_in_both_encodings_asks_the_user_then_takes_the_choice(seeded):
    data = "Title,Category\nAĽ,Budget and resources\n".encode("iso-8859-2")  # Ą in Windows-1250, Ľ here
    with pytest.raises(ImportFileError, match="choose its encoding in the form"):
        read_upload(data, CsvFormat())
    assert read_upload(data, CsvFormat(), encoding="iso-8859-2").dataset[0][0] == "AĽ"
    with pytest.raises(ImportFileError, match="not UTF-8 text"):
        read_upload(data, CsvFormat(), encoding="utf-8")


@pytest.mark.parametrize("separator, name", [(";", "semicolons"), ("\t", "tabs"), (",", "commas")])
def test_the_separator_is_found_from_the_header_row(seeded, separator, name):
    data = f'Title{separator}Category\n"A; b, c"{separator}Budget and resources\n'.encode()
    read = read_upload(data, CsvFormat())
    assert read.described == f"UTF-8, {name}"
    assert read.dataset[0] == ("A; b, c", "Budget and resources")


def libreoffice(path, target, outdir):
    subprocess.run(
        [SOFFICE or "soffice", "--headless", "--norestore", "--infilter=CSV:44,34,76,1", "--convert-to", target,
         "--outdir", str(outdir), str(path)],
        check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(outdir)},
    )  # fmt: skip
    return next(outdir.glob(f"*.{target.split(':')[0]}"))


@needs_libreoffice
@pytest.mark.parametrize(
    "target, file_format, described",
    [
        ("ods", OdsFormat, ""),
        ("xlsx", base_formats.XLSX, ""),
        ("csv:Text - txt - csv (StarCalc):59,34,33,1", CsvFormat, "Windows-1250, semicolons"),
    ],
)
def test_files_made_by_libreoffice_from_an_export_read_to_the_same_data(
    with_regional_letters, tmp_path, target, file_format, described
):
    dataset, before = challenges()
    source = tmp_path / "in" / "challenges.csv"
    source.parent.mkdir()
    source.write_text(dataset.csv, encoding="utf-8")
    made = libreoffice(source, target, tmp_path / "out")
    Challenge.objects.filter(title__startswith="Saradnja").delete()

    read, result = import_file(made.read_bytes(), file_format())

    assert read.described == described
    assert (result.totals["new"], result.totals["skip"], result.totals["invalid"]) == (1, 20, 0)
    assert challenges()[1] == before


@pytest.mark.django_db
def test_dates_and_amounts_in_regional_forms_land_as_their_english_twins():
    FocusAreaFactory(name="Cyber defence")
    header = "Slug,Title,Kind,Status,Start,End,Amount,Currency"
    rows = [
        'regional,Regionalna,Programme,Ongoing,25.09.2025.,septembar 2026,"500.000,00",EUR',
        "spaced,Spaced,Programme,Ongoing,25. 9. 2025.,1. kvartal 2027,500 000,EUR",
        'english,English,Programme,Ongoing,25 September 2025,Sep 2026,"500,000.00",EUR',
    ]
    result = import_dataset(
        RESOURCES[Initiative](), tablib.Dataset().load("\n".join([header, *rows]), format="csv"), dry_run=False
    )
    assert not result.has_validation_errors(), [row.error_dict for row in result.invalid_rows]
    landed = {i.slug: (i.start_date, i.end, i.amount) for i in Initiative.objects.all()}
    assert landed["regional"] == (datetime.date(2025, 9, 25), landed["english"][1], Decimal("500000.00"))
    assert landed["spaced"][0] == datetime.date(2025, 9, 25) and landed["spaced"][1].isoformat() == "2027-Q1"
    assert landed["english"][2] == Decimal("500000.00")


def test_the_admin_preview_says_how_the_file_was_read(client, django_user_model, with_regional_letters):
    client.force_login(django_user_model.objects.create_user("root", is_staff=True, is_superuser=True))
    dataset, _ = challenges()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("admin:tracker_challenge_import"),
        {"import_file": SimpleUploadedFile("c.csv", as_excel_saves_it(dataset)), "format": "0", "resource": "0",
         "encoding": "auto"},
    )  # fmt: skip
    assert "The file was read as Windows-1250, semicolons." in response.content.decode()
    assert response.context["confirm_form"] is not None


def test_admin_csv_exports_start_with_a_byte_order_mark(client, django_user_model, seeded):
    client.force_login(django_user_model.objects.create_user("root", is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:tracker_challenge_export"),
        {"format": "0", "resource": "0", **{f"challengeresource_{f}": "on" for f in ("slug", "title")}},
    )
    assert response.content.startswith("\ufeff".encode())


@needs_libreoffice
def test_initiatives_with_dates_amounts_and_several_citations_survive_libreoffice(seeded, tmp_path):
    dataset = RESOURCES[Initiative]().export()
    source = tmp_path / "in" / "initiatives.csv"
    source.parent.mkdir()
    source.write_text(dataset.csv, encoding="utf-8")
    made = libreoffice(source, "ods", tmp_path / "out")
    result = import_dataset(RESOURCES[Initiative](), read_upload(made.read_bytes(), OdsFormat()).dataset, dry_run=True)
    assert (result.totals["skip"], result.totals["invalid"]) == (32, 0)
