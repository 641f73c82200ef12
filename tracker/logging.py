"""Log records as single lines, with the request they belong to."""

import logging


class RequestContextFilter(logging.Filter):
    """Add ``method``, ``path``, ``status`` and ``user`` of the record's request, if it has one.

    Deliberately not the query string, cookies, headers or POST data: they may hold secrets.
    """

    def filter(self, record):
        request = getattr(record, "request", None)
        record.request_context = ""
        if request is not None and hasattr(request, "method"):
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and user.is_authenticated else "-"
            path = request.path.replace('"', "%22")
            status = getattr(record, "status_code", "-")
            record.request_context = f' method={request.method} path="{path}" status={status} user={user_id}'
        return True


class OneLineFormatter(logging.Formatter):
    """Tracebacks folded onto the record's line, so one event is one line in any log collector."""

    def format(self, record):
        return " | ".join(line for line in super().format(record).splitlines() if line.strip())
