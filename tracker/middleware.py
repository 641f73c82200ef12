import logging

from django.db import InterfaceError, OperationalError, connection
from django.template.response import TemplateResponse

logger = logging.getLogger("django.request")


class DatabaseUnavailableMiddleware:
    """Answer 503 "try again" rather than 500 when the database cannot be reached.

    Only for lost connections (a query the database refuses stays a logged 500).
    Requests fail fast, and the next request after the database is back reconnects
    by itself (``CONN_HEALTH_CHECKS``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)) or connection.is_usable():
            return None
        logger.error("Database unavailable: %s", exception, extra={"request": request, "status_code": 503})
        response = TemplateResponse(request, "503.html", status=503)
        response["Retry-After"] = "30"
        response._has_been_logged = True  # Django's own "Service Unavailable" line would repeat this one
        return response.render()
