import logging

from django.db import InterfaceError, OperationalError, connection
from django.middleware import locale
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control

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


class CacheControlMiddleware:
    """Every response says how a cache in front may keep it, unless the view said so itself.

    A page that used the CSRF token, set a cookie or was made for a signed-in user is ``private``;
    any other is ``public``. Both are ``no-cache`` (kept, but checked with the server before each use),
    because unpublishing must take effect at once: no cache may answer from a copy unasked.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD") or response.has_header("Cache-Control"):
            return response
        personal = (
            request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or request.META.get("CSRF_COOKIE_USED")
            or response.cookies
            or getattr(getattr(request, "user", None), "is_authenticated", False)
        )
        if personal:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, public=True, no_cache=True)
        return response


class LocaleMiddleware(locale.LocaleMiddleware):
    """The public site speaks the language of its URL: English unprefixed whatever the browser or an old
    language cookie asks (so a published link always shows the same page), the others under /bs/, /hr/
    and /sr/. The admin has no language in its URLs: there the staff member's cookie or browser decides."""

    def process_request(self, request):
        super().process_request(request)
        if request.path_info.startswith(reverse("admin:index")):
            translation.activate(translation.get_language_from_request(request))
            request.LANGUAGE_CODE = translation.get_language()
