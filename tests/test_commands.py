"""Import and export from the command line: the same resources and the same all-or-nothing rule."""

import pytest
from django.core.management import CommandError, call_command

from tracker.models import Challenge, Initiative


def test_export_then_import_changes_nothing(seeded, tmp_path, capsys):
    path = tmp_path / "initiatives.csv"
    call_command("export_records", "initiative", "--output", str(path))
    assert path.read_text(encoding="utf-8").startswith("\ufeffSlug,Title,Summary")  # Excel reads the letters right

    call_command("import_records", "initiative", str(path))

    assert "0 new, 0 updated, 32 unchanged" in capsys.readouterr().out


@pytest.mark.parametrize("file_format", ["xlsx", "json"])
def test_other_formats_round_trip(seeded, tmp_path, capsys, file_format):
    path = tmp_path / f"challenges.{file_format}"
    call_command("export_records", "challenge", "--format", file_format, "--output", str(path))
    call_command("import_records", "challenge", str(path))
    assert "0 new, 0 updated, 20 unchanged" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_bad_file_is_reported_row_by_row_and_nothing_is_written(tmp_path):
    path = tmp_path / "challenges.csv"
    path.write_text("Title,Category\nGood row,Budget and resources\nBad row,Weather\n", encoding="utf-8")

    with pytest.raises(CommandError) as error:
        call_command("import_records", "challenge", str(path))

    assert "Row 2, Category: “Weather” is not one of" in str(error.value)
    assert not Challenge.objects.exists()


@pytest.mark.django_db
def test_dry_run_reports_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "challenges.csv"
    path.write_text("Title,Category\nGood row,Budget and resources\n", encoding="utf-8")
    call_command("import_records", "challenge", str(path), "--dry-run")
    assert "Would import challenges.csv: 1 new" in capsys.readouterr().out
    assert not Challenge.objects.exists()


@pytest.mark.django_db
def test_the_user_is_recorded_in_the_history(tmp_path, django_user_model):
    analyst = django_user_model.objects.create_user("analyst")
    path = tmp_path / "challenges.csv"
    path.write_text("Title,Category\nGood row,Budget and resources\n", encoding="utf-8")
    call_command("import_records", "challenge", str(path), "--user", "analyst")
    assert Challenge.objects.get().history.get().history_user == analyst


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"Title,Category\nX,Y\n".decode().encode("utf-16-le"), "no-bom.csv", "binary file"),
        (b"", "empty.csv", "The file is empty."),
        (b"Title,Category\n", "x.txt", "Cannot tell the format"),
    ],
)
def test_unreadable_files_are_refused(tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_records", "initiative", str(path))
    assert not Initiative.objects.exists()
