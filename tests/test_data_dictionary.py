"""/data/ documents every column of the CSV downloads and every field of the open API, from the code itself."""

import csv
import io
import re

import pytest

from tracker.api.urls import router

pytestmark = pytest.mark.django_db

LISTS = ["initiatives", "challenges", "recommendations", "visits"]


def header_of(client, url):
    body = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
    return next(csv.reader(io.StringIO(body)))


def test_every_csv_column_is_documented_with_what_its_cells_hold(client, seeded):
    page = client.get("/data/").content.decode()
    for name in LISTS:
        section = page.split(f'id="csv-{name}"')[1].split("<h3")[0]
        documented = re.findall(r'<th scope="row"><code>([^<]+)</code>', section)
        assert documented == header_of(client, f"/{name}.csv"), name
    assert "<code>in_progress</code> — In progress" in page  # a choice's codes, with their labels
    assert "A date as precise as its source" in page


def test_every_api_object_and_list_is_documented(client, seeded):
    page = client.get("/data/").content.decode()
    schema = client.get("/api/schema/?format=json").json()
    for name, component in schema["components"]["schemas"].items():
        if name.startswith("Paginated"):
            continue
        assert f'id="api-{name}"' in page, name
        for field in component.get("properties", {}):
            assert f"<code>{field}</code>" in page, (name, field)
    for prefix, _viewset, _basename in router.registry:
        assert f"<code>/api/{prefix}/</code>" in page


def test_the_dictionary_speaks_the_pages_language_but_keys_stay(client, seeded):
    page = client.get("/bs/data/").content.decode()
    assert '<html lang="bs">' in page
    assert "<code>status_label</code>" in page and "Rječnik podataka" in page
