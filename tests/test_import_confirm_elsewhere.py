"""An import previewed by one app server can be confirmed by another: the preview lives in the database cache.

The confirming server is a second Python process with its own working and temporary directories, so a
preview kept on local disk would not be found there (it would answer "The preview has expired").
"""

import json
import os
import subprocess
import sys
import textwrap
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from tracker.models import Initiative

IMPORT_URL = reverse("admin:tracker_initiative_import")
CONFIRM_URL = reverse("admin:tracker_initiative_process_import")
CHANGELIST_URL = reverse("admin:tracker_initiative_changelist")
CSV = "Title,Kind,Status\nConfirmed on another server,Programme,Ongoing\n"

CONFIRM_IN_THIS_PROCESS = textwrap.dedent(
    """
    import json, sys
    import django
    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment
    setup_test_environment()
    username, url, data = json.loads(sys.argv[1])
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    response = client.post(url, data)
    print(json.dumps([response.status_code, response.get("Location", "")]))
    """
)


def shared_database_url():
    """The URL of the database this test runs on, for another process; None when no other process can open it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return None if connection.is_in_memory_db() else f"sqlite:///{db['NAME']}"
    if connection.vendor != "postgresql":
        return None
    credentials = quote(db["USER"] or "", safe="") + (":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


def test_a_preview_made_here_is_confirmed_by_another_process(transactional_db, client, django_user_model, tmp_path):
    database_url = shared_database_url()
    if database_url is None:
        pytest.skip("the test database is in memory, so a second process cannot share it (run on PostgreSQL)")
    admin = django_user_model.objects.create_superuser("importer", password="x")
    client.force_login(admin)

    preview = client.post(
        IMPORT_URL, {"import_file": SimpleUploadedFile("initiatives.csv", CSV.encode()), "format": "0", "resource": "0"}
    )

    assert preview.status_code == 200
    assert "Confirmed on another server" in preview.content.decode()
    assert not Initiative.objects.exists()
    confirm_data = {**preview.context["confirm_form"].initial, "resource": "0"}

    child = subprocess.run(
        [sys.executable, "-c", CONFIRM_IN_THIS_PROCESS, json.dumps([admin.username, CONFIRM_URL, confirm_data])],
        cwd=tmp_path,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
            "DATABASE_URL": database_url,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(settings.BASE_DIR), os.environ.get("PYTHONPATH")])),
            "TMPDIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout.splitlines()[-1]) == [302, CHANGELIST_URL], child.stdout + child.stderr
    initiative = Initiative.objects.get(title="Confirmed on another server")
    assert (initiative.kind, initiative.status) == ("programme", "ongoing")
    assert initiative.history.get().history_user == admin
