"""Detail pages describe their subject to machines (schema.org JSON-LD) and to link previews (Open Graph)."""

import json
import re

import pytest

from tracker.models import Initiative, Source, Visit

pytestmark = pytest.mark.django_db


def json_ld(body):
    (text,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    return json.loads(text)


def meta(body, name):
    return re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', body).group(1)


def test_a_visit_is_an_event_with_its_date_place_and_sources(client, seeded):
    visit = Visit.objects.get(slug="nato-deputy-secretary-general-visit-2025")
    data = json_ld(client.get(visit.get_absolute_url()).content.decode())
    assert data["@context"] == "https://schema.org" and data["@type"] == "Event"
    assert data["name"] == visit.title and data["startDate"] == visit.when.html_datetime()
    assert data["url"] == f"http://testserver{visit.get_absolute_url()}"
    assert "cyber threats" in " ".join(data["about"]).lower()
    cited = {source["name"] for source in data["citation"]}
    assert cited == {c.source.title for c in visit.citations.filter(source__published=True)}


def test_an_initiative_is_a_project_dated_as_precisely_as_its_source(client, seeded):
    dcb = Initiative.objects.get(slug="dcb-package-2023")
    data = json_ld(client.get(dcb.get_absolute_url()).content.decode())
    assert data["@type"] == "Project" and data["foundingDate"] == "2023-02" and data["alternateName"] == "DCB package"
    assert "dissolutionDate" not in data  # no end date: nothing rather than null


def test_a_news_source_is_an_article(client, seeded):
    source = Source.objects.published().filter(kind="news").first()
    data = json_ld(client.get(source.get_absolute_url()).content.decode())
    assert data["@type"] == "Article" and data["name"] == source.title


def test_markup_in_a_title_cannot_end_the_json_ld_script(client, seeded):
    dcb = Initiative.objects.get(slug="dcb-package-2023")
    Initiative.objects.filter(pk=dcb.pk).update(title="</script><script>alert(1)</script> & co")
    body = client.get(dcb.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in body
    assert json_ld(body)["name"] == "</script><script>alert(1)</script> & co"


def test_link_previews_name_the_record_and_the_site(client, seeded):
    dcb = Initiative.objects.get(slug="dcb-package-2023")
    body = client.get(dcb.get_absolute_url()).content.decode()
    assert meta(body, "og:title") == dcb.title
    assert meta(body, "og:type") == "article"
    assert meta(body, "og:url") == f"http://testserver{dcb.get_absolute_url()}"
    assert meta(body, "og:description").startswith("A Defence Capacity Building package")
    assert meta(body, "twitter:card") == "summary"
    home = client.get("/").content.decode()
    assert meta(home, "og:type") == "website"
    assert meta(home, "og:site_name") == "NATO–Bosnia and Herzegovina Cooperation Tracker"
    assert '<link rel="icon" href="/static/favicon.svg"' in home


def test_browsers_asking_for_favicon_ico_get_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.svg"
