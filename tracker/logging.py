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
    """One event, one line: an exception is summed up as its type, message and innermost frame."""

    def formatException(self, exc_info):
        exc_type, exc, tb = exc_info
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        where = f" at {tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb is not None else ""
        return f"{exc_type.__name__}: {exc}{where}"

    def format(self, record):
        return " ".join(super().format(record).split("\n"))
