"""Streaming CSV downloads whose cells are safe to open in a spreadsheet."""

import csv

from django.http import StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix a cell a spreadsheet would run as a formula with a quote (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value):
        return value


def csv_response(filename, columns, objects):
    """Stream ``objects`` as CSV; ``columns`` is a list of (header, function of an object)."""
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"  # lets spreadsheet programs recognise UTF-8
        yield writer.writerow([header for header, _ in columns])
        for obj in objects:
            yield writer.writerow([neutralise(value(obj)) for _, value in columns])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def names(related):
    """Related records by name, ``;``-separated, in a stable order."""
    return "; ".join(sorted(str(item) for item in related.all()))
