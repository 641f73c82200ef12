"""Every kind of public page is valid HTML, as the W3C Nu Html Checker (vnu.jar, from the npm registry) reads it."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tracker.models import Challenge, FocusArea, Initiative, Organisation, Recommendation, Source, Visit

VNU = Path(__file__).parent / "browser" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java")

pytestmark = pytest.mark.skipif(
    not (JAVA and VNU.exists()) and not os.environ.get("REQUIRE_BROWSER"),  # CI installs Java and vnu-jar
    reason="needs Java and vnu-jar (apt-get install default-jre-headless; npm ci in tests/browser)",
)


def public_pages():
    """One URL of every kind of public page, with filters and without, and a page that is not there."""
    first = {model: model.objects.published().first() for model in (Initiative, Challenge, Recommendation, Visit)}
    return [
        "/",
        "/timeline/",
        "/changes/",
        "/changes/?kind=initiative",
        "/sources/",
        "/search/",
        "/data/",
        "/search/?q=cyber+defence",
        "/focus-areas/",
        "/organisations/",
        "/bs/initiatives/",
        "/sr/",
        Source.objects.published().get(slug="nato-relations-with-bosnia-and-herzegovina").get_absolute_url(),
        FocusArea.objects.filter(initiatives__published=True).first().get_absolute_url(),
        Organisation.objects.filter(initiatives__published=True).first().get_absolute_url(),
        "/initiatives/?status=ongoing&sort=-updated",
        "/challenges/?q=nothing-matches-this",
        "/recommendations/?overdue=yes",
        "/visits/?year_from=2025",
        *(model.list_url() for model in first),
        *(record.get_absolute_url() for record in first.values()),
        "/no-such-page/",
    ]


def test_every_kind_of_public_page_is_valid_html(client, seeded, tmp_path):
    files = []
    for index, url in enumerate(public_pages()):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        path = tmp_path / f"{index:02d}.html"
        path.write_bytes(response.content)
        files.append((path, url))

    checked = subprocess.run(
        [
            JAVA or "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            "--stdout",
            *(str(p) for p, _ in files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )

    url_of = {path.name: url for path, url in files}
    errors = [
        f"{url_of.get(Path(message.get('url', '')).name)} line {message.get('lastLine')}: {message['message']}"
        for message in json.loads(checked.stdout)["messages"]
    ]
    assert errors == [], "\n".join(errors)
