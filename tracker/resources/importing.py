"""Reading uploaded files before anything is imported, with messages people can act on.

The admin's import form and the ``import_records`` command both go through
``read_upload``. It takes the files people in the region really have: CSV in
UTF-8 (with or without a byte-order mark), UTF-16, Windows-1250 or ISO-8859-2,
separated by commas, semicolons or tabs (Excel in a Bosnian, Croatian or Serbian
locale saves "CSV" as Windows-1250 with semicolons); XLSX; ODS; JSON. The
encoding is detected where the bytes allow only one reading, the separator from
the header row, and ``ReadFile.described`` says how the file was read. A file
that is empty, too big, binary where text is expected, ambiguous or unreadable is
refused here, before any row is looked at, with what was found and what to do.
"""

import codecs
import csv
import dataclasses
import datetime
import io
import zipfile
from decimal import Decimal

import tablib
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from import_export.formats import base_formats
from import_export.tmp_storages import CacheStorage

from ..cells import BYTE_ORDER_MARK


class CSV(base_formats.CSV):
    """CSV whose exports start with a byte-order mark, so Excel opens them with the right letters."""

    def export_data(self, dataset, **kwargs):
        return BYTE_ORDER_MARK + super().export_data(dataset, **kwargs)


class ODS(base_formats.ODS):
    """LibreOffice's spreadsheets, read here rather than by tablib 3.10, which drops a run of empty cells
    (``number-columns-repeated``), shifting the rest of the row left, and keeps only the first line of a
    cell. django-import-export 4.4 also declares ODS a text format; it is a zip archive."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        from odf import opendocument, teletype
        from odf.table import Table, TableRow
        from odf.text import P

        book = opendocument.load(io.BytesIO(in_stream))
        sheet = book.spreadsheet.getElementsByType(Table)[0]
        rows = []
        for row in sheet.getElementsByType(TableRow):
            values = []
            for cell in row.childNodes:
                if cell.qname[1] in ("table-cell", "covered-table-cell"):
                    repeat = int(cell.getAttribute("numbercolumnsrepeated") or 1)
                    values += [ods_value(cell, P, teletype)] * min(repeat, MAX_COLUMNS + 1)
            while values and values[-1] == "":
                values.pop()
            if values:
                rows += [values] * min(int(row.getAttribute("numberrowsrepeated") or 1), 1_000_000)
        dataset = tablib.Dataset(headers=rows[0] if rows else None)
        for values in rows[1:]:
            dataset.append((values + [""] * dataset.width)[: dataset.width])
        return dataset


def ods_value(cell, paragraph, teletype):
    """A cell's value: its number, date or truth as stored, else its text, one line per paragraph."""
    kind = cell.getAttribute("valuetype")
    if kind in ("float", "percentage", "currency"):
        number = Decimal(cell.getAttribute("value"))
        return int(number) if number == number.to_integral_value() else number
    if kind == "date":
        return datetime.date.fromisoformat(cell.getAttribute("datevalue")[:10])
    if kind == "boolean":
        return cell.getAttribute("booleanvalue") == "true"
    return "\n".join(teletype.extractText(p) for p in cell.getElementsByType(paragraph))


FORMATS = [CSV, base_formats.XLSX, base_formats.JSON, ODS]
FORMATS_BY_NAME = {file_format().get_title().lower(): file_format for file_format in FORMATS}
ZIP_SIGNATURE = b"PK\x03\x04"  # XLSX and ODS are zip archives
MAX_COLUMNS = 100  # the widest resource has 20
#: django-import-export's options for "one transaction, rolled back by any bad row" (admin and scripts alike).
ALL_OR_NOTHING = {"use_transactions": True, "rollback_on_validation_errors": True}

#: The encodings a text file may be in, as the import form offers them ("auto": detect).
ENCODINGS = {
    "auto": "Detect (UTF-8, else Windows-1250 or ISO-8859-2)",
    "utf-8": "UTF-8",
    "windows-1250": "Windows-1250 (Excel in Bosnian, Croatian, Serbian)",
    "iso-8859-2": "ISO-8859-2",
    "utf-16": "UTF-16",
}
SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs"}
REGIONAL_LETTERS = set("čćđšžČĆĐŠŽ")


class ImportFileError(ValueError):
    pass


class PreviewStorage(CacheStorage):
    """Where an uploaded file waits between preview and confirm: the shared (database) cache, so any server
    can confirm it, for ``TRACKER_IMPORT_PREVIEW_SECONDS`` (the library keeps it a day)."""

    @property
    def CACHE_LIFETIME(self):  # noqa: N802 (the library's name)
        return settings.TRACKER_IMPORT_PREVIEW_SECONDS


@dataclasses.dataclass
class ReadFile:
    """An upload as the format reads it (text as UTF-8 with commas), its rows, and how it was read."""

    normalised: bytes
    dataset: object
    encoding: str = ""
    separator: str = ""

    @property
    def described(self):
        return ", ".join(part for part in (self.encoding, SEPARATORS.get(self.separator, "")) if part)


def max_upload_bytes():
    return settings.TRACKER_IMPORT_MAX_BYTES


def label(encoding):
    return ENCODINGS[encoding].split(" (")[0]


def decode_text(data, encoding="auto"):
    """``(text, name of its encoding)``: ``encoding`` as chosen, or detected (``"auto"``)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\x00" in data and encoding != "utf-16":
        raise ImportFileError(
            "This is a binary file, not text: export the spreadsheet as CSV, XLSX or ODS, or choose its format."
        )
    try:
        if encoding == "auto":
            return data.decode("utf-8-sig"), label("utf-8")
        return data.decode("utf-8-sig" if encoding == "utf-8" else encoding), label(encoding)
    except UnicodeDecodeError as error:
        if encoding != "auto":
            raise ImportFileError(
                f"The file is not {label(encoding)} text (unreadable byte at position {error.start}): "
                "choose its encoding in the form, or save it as “CSV UTF-8”."
            ) from None
    return decode_legacy(data)


def is_decodable(data, encoding):
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def decode_legacy(data):
    """A file that is not UTF-8, as Windows-1250 or ISO-8859-2: the one reading the bytes allow, or, where
    both do and they differ, the one that gives more of the region's letters; a tie is for the user to settle."""
    readings = {name: data.decode(name) for name in ("windows-1250", "iso-8859-2") if is_decodable(data, name)}
    if any(0x80 <= byte <= 0x9F for byte in data):  # control characters in ISO-8859-2, letters in Windows-1250
        readings.pop("iso-8859-2", None)
    if len(readings) == 2 and readings["windows-1250"] != readings["iso-8859-2"]:
        letters = {name: sum(char in REGIONAL_LETTERS for char in text) for name, text in readings.items()}
        if letters["windows-1250"] == letters["iso-8859-2"]:
            raise ImportFileError(
                "The file is not UTF-8, and it reads as well in Windows-1250 as in ISO-8859-2: "
                "choose its encoding in the form."
            )
        readings.pop(min(letters, key=letters.get))
    if not readings:
        raise ImportFileError("The file is not UTF-8, Windows-1250 or ISO-8859-2 text: save it as “CSV UTF-8”.")
    name, text = next(iter(readings.items()))
    return text, label(name)


def separator_of(text):
    """The separator the header row uses most, outside quotes: comma, semicolon or tab."""
    header = text.lstrip(BYTE_ORDER_MARK).split("\n", 1)[0]
    counts = {mark: 0 for mark in SEPARATORS}
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def with_commas(text, separator):
    """``text`` (CSV separated by ``separator``) as comma-separated CSV, as the importer reads it."""
    if separator == ",":
        return text
    out = io.StringIO()
    try:
        csv.writer(out, lineterminator="\n").writerows(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error as error:
        raise ImportFileError(f"The file could not be read as CSV ({error}).") from None
    return out.getvalue()


def check_unpacked_size(data):
    """An XLSX file is a zip archive: refuse one that would unpack to more than the limit before parsing it
    (a small file can hold a sheet of hundreds of megabytes)."""
    limit = settings.TRACKER_IMPORT_MAX_UNPACKED_BYTES
    try:
        unpacked = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except zipfile.BadZipFile:
        raise ImportFileError(
            "This .xlsx file is damaged: open it in your spreadsheet program and save it again."
        ) from None
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


def read_upload(data, file_format, max_rows=None, encoding="auto"):
    """Validate raw bytes for ``file_format``; return a ``ReadFile``."""
    limit = max_upload_bytes()
    if not data:
        raise ImportFileError("The file is empty.")
    if len(data) > limit:
        raise ImportFileError(f"The file is {filesizeformat(len(data))}; the limit is {filesizeformat(limit)}.")
    title = file_format.get_title().upper()
    read = ReadFile(data, None)
    if file_format.is_binary():
        if not data.startswith(ZIP_SIGNATURE):
            kind = "an OpenDocument .ods" if title == "ODS" else "an Excel .xlsx"
            raise ImportFileError(f"This is not {kind} file; choose the format that matches the file.")
        check_unpacked_size(data)
        readable = data
    else:
        text, read.encoding = decode_text(data, encoding)
        if isinstance(file_format, base_formats.CSV):
            read.separator = separator_of(text)
            text = with_commas(text, read.separator)
        readable, read.normalised = text, text.encode("utf-8")
    try:
        read.dataset = file_format.create_dataset(readable)
    except Exception as error:
        raise ImportFileError(
            f"The file could not be read as {title} ({type(error).__name__}). "
            "Check that the format you chose matches the file."
        ) from None
    if not read.dataset.headers or len(read.dataset) == 0:
        raise ImportFileError("The file has no rows to import: the first row must name the columns.")
    check_shape(read.dataset, max_rows)
    return read


def import_dataset(resource, dataset, dry_run, user=None, file_name=None, progress=None):
    """Import all rows or none: any row error or validation error rolls the whole file back.
    ``progress`` (if given) is called with the number of rows done after each row."""
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        user=user,
        file_name=file_name,
        progress=progress,
        **ALL_OR_NOTHING,
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
