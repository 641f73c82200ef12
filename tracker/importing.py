"""Reading uploaded files before anything is imported, with messages people can act on.

The admin's import form and the ``import_records`` command both go through
``read_upload``: a file that is empty, too big, binary where text is expected,
not UTF-8 (or UTF-16 with a byte-order mark), or unreadable in its format is
refused here, before any row is looked at.
"""

import codecs
import io
import zipfile

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from import_export.formats import base_formats

FORMATS = [base_formats.CSV, base_formats.XLSX, base_formats.JSON]
FORMATS_BY_NAME = {file_format().get_title().lower(): file_format for file_format in FORMATS}
XLSX_SIGNATURE = b"PK\x03\x04"
MAX_COLUMNS = 100  # the widest resource has 20
#: django-import-export's options for "one transaction, rolled back by any bad row" (admin and scripts alike).
ALL_OR_NOTHING = {"use_transactions": True, "rollback_on_validation_errors": True}


class ImportFileError(ValueError):
    pass


def max_upload_bytes():
    return settings.TRACKER_IMPORT_MAX_BYTES


def decode_text(data):
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise ImportFileError("This is a binary file, not text: export the spreadsheet as CSV UTF-8, XLSX or JSON.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"The file is not UTF-8 text (unreadable byte at position {error.start}). "
            "In your spreadsheet program, save it as “CSV UTF-8”."
        ) from None


def check_unpacked_size(data):
    """An XLSX file is a zip archive: refuse one that would unpack to more than the limit before parsing it
    (a small file can hold a sheet of hundreds of megabytes)."""
    limit = settings.TRACKER_IMPORT_MAX_UNPACKED_BYTES
    try:
        unpacked = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except zipfile.BadZipFile:
        raise ImportFileError("This .xlsx file is damaged: open it in your spreadsheet program and save it again.") from None
    if unpacked > limit:
        raise ImportFileError(
            f"This spreadsheet unpacks to {filesizeformat(unpacked)}; the limit is {filesizeformat(limit)}. "
            "Split it into smaller files."
        )


def check_shape(dataset, max_rows):
    """Bounded files only: more columns than any tracker file has is not a tracker file, and (in the
    admin, ``max_rows``) a preview of more rows would keep the request waiting too long."""
    if dataset.width > MAX_COLUMNS:
        raise ImportFileError(
            f"The file has {dataset.width:,} columns; a tracker file has at most {MAX_COLUMNS}. "
            "Export first to get a file with the right columns."
        )
    if max_rows is not None and len(dataset) > max_rows:
        raise ImportFileError(
            f"The file has {len(dataset):,} rows; an import in the admin takes at most {max_rows:,}. "
            "Split it into smaller files, or import it with the import_records command."
        )


def read_upload(data, file_format, max_rows=None):
    """Validate raw bytes for ``file_format``; return them as the format reads them (text as UTF-8)."""
    limit = max_upload_bytes()
    if not data:
        raise ImportFileError("The file is empty.")
    if len(data) > limit:
        raise ImportFileError(f"The file is {filesizeformat(len(data))}; the limit is {filesizeformat(limit)}.")
    if file_format.is_binary():
        if not data.startswith(XLSX_SIGNATURE):
            raise ImportFileError("This is not an Excel .xlsx file; choose the format that matches the file.")
        check_unpacked_size(data)
        normalised, readable = data, data
    else:
        readable = decode_text(data)
        normalised = readable.encode("utf-8")
    try:
        dataset = file_format.create_dataset(readable)
    except Exception as error:
        raise ImportFileError(
            f"The file could not be read as {file_format.get_title().upper()} ({type(error).__name__}). "
            "Check that the format you chose matches the file."
        ) from None
    if not dataset.headers or len(dataset) == 0:
        raise ImportFileError("The file has no rows to import: the first row must name the columns.")
    check_shape(dataset, max_rows)
    return normalised, dataset


def import_dataset(resource, dataset, dry_run, user=None, file_name=None):
    """Import all rows or none: any row error or validation error rolls the whole file back."""
    return resource.import_data(
        dataset, dry_run=dry_run, raise_errors=False, user=user, file_name=file_name, **ALL_OR_NOTHING
    )


def describe_errors(result):
    """One line per problem, in row order: "Row 3, Focus areas: unknown focus areas “Cyber”"."""
    problems = [(0, f"File: {error.error}") for error in result.base_errors]
    for row in result.invalid_rows:
        for column, messages in row.field_specific_errors.items():
            problems.extend((row.number, f"Row {row.number}, {column}: {message}") for message in messages)
        problems.extend((row.number, f"Row {row.number}: {message}") for message in row.non_field_specific_errors)
    for number, errors in result.row_errors():
        problems.extend((number, f"Row {number}: {error.error}") for error in errors)
    return [line for _, line in sorted(problems, key=lambda problem: problem[0])]
