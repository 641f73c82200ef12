"""``/sitemap.xml`` and ``/robots.txt``: every public page in every language for crawlers, drafts never."""

import re

import pytest
from django.conf import settings

from tracker.sitemaps import SITEMAPS

from .factories import FocusAreaFactory, InitiativeFactory, OrganisationFactory, SourceFactory, VisitFactory

pytestmark = pytest.mark.django_db

PREFIXES = ["" if code == settings.LANGUAGE_CODE else f"/{code}" for code, _name in settings.LANGUAGES]


def locations(client):
    """Every ``<loc>`` of every section the index lists."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    found = []
    for section in re.findall(r"<loc>http://testserver(/sitemap-[\w-]+\.xml)</loc>", index.content.decode()):
        found += re.findall(r"<loc>http://testserver([^<]*)</loc>", client.get(section).content.decode())
    return found


def test_every_public_page_is_listed_in_every_language_and_drafts_never(client):
    area, organisation = FocusAreaFactory(slug="cyber"), OrganisationFactory(slug="nato")
    InitiativeFactory(
        slug="public", focus_areas=[area], organisations=[organisation], cited__source=SourceFactory(slug="doc")
    )
    InitiativeFactory(slug="draft", published=False, focus_areas=[FocusAreaFactory(slug="draft-only")])
    VisitFactory(slug="visit")

    found = locations(client)

    pages = ["/", "/initiatives/", "/challenges/", "/recommendations/", "/visits/", "/timeline/", "/sources/",
             "/changes/", "/data/", "/focus-areas/", "/organisations/", "/initiatives/public/", "/visits/visit/", "/sources/doc/", "/focus-areas/cyber/",
             "/organisations/nato/"]  # fmt: skip
    for page in pages:
        for prefix in PREFIXES:
            assert f"{prefix}{page}" in found
    assert not [url for url in found if "draft" in url]
    assert len(found) == len(set(found))


def test_each_page_names_its_versions_in_the_other_languages(client):
    InitiativeFactory(slug="public")
    body = client.get("/sitemap-initiatives.xml").content.decode()
    for code, prefix in zip([code for code, _ in settings.LANGUAGES], PREFIXES, strict=True):
        assert f'hreflang="{code}" href="http://testserver{prefix}/initiatives/public/"' in body
    assert 'hreflang="x-default" href="http://testserver/initiatives/public/"' in body


@pytest.mark.parametrize("count", [2, 20])
def test_the_sitemap_reads_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    for _n in range(count):
        InitiativeFactory(focus_areas=[FocusAreaFactory()], organisations=[OrganisationFactory()])
    # each kind of record: its pages, their latest change; the data version; each vocabulary: the terms
    # published records carry, and their pages
    with django_assert_num_queries(5 * 2 + 1 + 2 * 2):
        client.get("/sitemap.xml")
    queries = {"pages": 0, "focus-areas": 2, "organisations": 2}  # a vocabulary also reads the data version
    for name in SITEMAPS:
        with django_assert_num_queries(queries.get(name, 1)):
            assert client.get(f"/sitemap-{name}.xml").status_code == 200


def test_an_unknown_section_is_not_found(client):
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines and "Sitemap: http://testserver/sitemap.xml" in lines
