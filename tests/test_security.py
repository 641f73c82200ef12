"""Production settings, security headers, error pages, health check and sign-in throttling."""

import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import override_settings
from django.urls import reverse

from .factories import InitiativeFactory

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "DJANGO_ALLOWED_HOSTS": "tracker.example.org",
}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}, **env},
        capture_output=True,
        text=True,
    )


def test_check_deploy_is_clean_in_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_secret_key_or_hosts(missing):
    env = {key: value for key, value in PRODUCTION.items() if key != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"Set {missing} when DJANGO_DEBUG is off." in result.stderr


@pytest.mark.django_db
def test_every_page_carries_the_security_headers(client):
    response = client.get(reverse("tracker:home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_pages_have_no_inline_scripts_or_styles(client):
    """Nothing for the CSP to refuse: the only script elements are JSON-LD data, which no browser runs."""
    initiative = InitiativeFactory()
    for url in (reverse("tracker:home"), reverse("tracker:initiative-list"), initiative.get_absolute_url()):
        content = client.get(url).content.decode()
        assert re.findall(r"<script[^>]*>", content) in ([], ['<script type="application/ld+json">'])
        assert " style=" not in content


@pytest.mark.django_db
def test_healthz_answers_after_a_database_round_trip(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


@pytest.mark.django_db
def test_healthz_says_503_when_the_database_is_down(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.django_db
def test_not_found_page_is_in_the_site_style_and_leaks_nothing(client, settings):
    settings.DEBUG = False
    response = client.get("/initiatives/no-such-initiative/")
    content = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in content and 'class="site-header"' in content
    assert "Traceback" not in content and "urlpatterns" not in content and "tracker.views" not in content


@override_settings(DEBUG=False)
def test_server_error_page_is_in_the_site_style_and_leaks_nothing(rf):
    from django.views.defaults import server_error

    content = server_error(rf.get("/")).content.decode()
    assert "Something went wrong" in content and 'class="site-header"' in content
    assert "Traceback" not in content


@pytest.mark.django_db
def test_admin_sign_in_locks_out_after_repeated_failures(client, django_user_model, settings):
    django_user_model.objects.create_user("analyst", password="the right password", is_staff=True)
    login = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(login, {"username": "analyst", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error

    locked = client.post(login, {"username": "analyst", "password": "wrong"})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()

    still_locked = client.post(login, {"username": "analyst", "password": "the right password"})
    assert still_locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lockout_is_per_address(client, django_user_model, settings):
    django_user_model.objects.create_user("analyst", password="the right password", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("admin:login"), {"username": "analyst", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    response = client.post(
        reverse("admin:login"), {"username": "analyst", "password": "the right password"}, REMOTE_ADDR="10.0.0.2"
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_pages_answer_503_not_500_while_the_database_is_down(client, caplog):
    from django.db import OperationalError

    with (
        mock.patch("tracker.views.RecordListView.get_queryset", side_effect=OperationalError("server closed")),
        mock.patch("tracker.middleware.connection", **{"is_usable.return_value": False}),
    ):
        response = client.get(reverse("tracker:initiative-list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Temporarily unavailable" in response.content.decode()
    logged = [record.getMessage() for record in caplog.records if record.name == "django.request"]
    assert logged == ["Database unavailable: server closed"]  # one line per failed request, with its cause


@pytest.mark.django_db
def test_a_query_the_database_refuses_is_an_error_not_a_503(client):
    from django.db import OperationalError

    client.raise_request_exception = True
    with (
        mock.patch("tracker.views.RecordListView.get_queryset", side_effect=OperationalError("too complex")),
        pytest.raises(OperationalError),
    ):
        client.get(reverse("tracker:initiative-list"))


@pytest.mark.django_db
def test_a_very_long_search_is_refused_politely(client):
    response = client.get(reverse("tracker:initiative-list"), {"q": "defence " * 1200})
    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters" in response.content.decode()


def test_log_lines_are_single_lines_without_tracebacks():
    import logging

    from tracker.logging import OneLineFormatter

    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error", None, sys.exc_info()
        )
    record.request_context = ' method=GET path="/x/"'
    line = OneLineFormatter("%(message)s%(request_context)s").format(record)
    assert "\n" not in line
    assert line.startswith('Internal Server Error method=GET path="/x/"')
    assert "ValueError: boom second line at " in line


@pytest.mark.django_db
def test_pages_tell_caches_in_front_how_to_keep_them(client, django_user_model):
    page = client.get("/")
    assert set(page["Cache-Control"].split(", ")) == {"public", "no-cache"}
    client.get("/admin/login/")  # a form with the CSRF token: the page and its cookie are personal
    assert "private" in client.get("/admin/login/")["Cache-Control"]
    feed = client.get("/feed/")
    assert set(feed["Cache-Control"].split(", ")) == {"public", "no-cache"}
    client.force_login(django_user_model.objects.create_user("staff", is_staff=True))
    assert "private" in client.get("/feed/")["Cache-Control"]
    assert "no-cache" in client.get("/admin/")["Cache-Control"]
