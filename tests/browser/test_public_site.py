"""What a person does on the public site, in real Chromium."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

PAGE_TYPES = {
    "home": "/",
    "initiative-list": "/initiatives/",
    "initiative-detail": "/initiatives/partnership-for-peace/",
    "challenge-list": "/challenges/",
    "recommendation-list": "/recommendations/",
    "visit-list": "/visits/",
    "timeline": "/timeline/",
    "source-list": "/sources/",
    "changes": "/changes/",
    "search": "/search/?q=cyber+defence",
    "focus-area-index": "/focus-areas/",
    "organisation-index": "/organisations/",
    "record-with-status-history": "/initiatives/dcb-package-2023/",
}


def first_link(page, url_prefix):
    return page.locator(f"main a[href^='{url_prefix}']").first.get_attribute("href")


@pytest.fixture
def detail_pages(page):
    """One detail page of every other kind, found by following the lists like a person would."""
    urls = {}
    for name, list_url, prefix in [
        ("challenge-detail", "/challenges/", "/challenges/"),
        ("recommendation-detail", "/recommendations/", "/recommendations/"),
        ("visit-detail", "/visits/", "/visits/"),
        ("source-detail", "/sources/", "/sources/"),
    ]:
        page.goto(list_url)
        urls[name] = page.locator(f"table.records a[href^='{prefix}']").first.get_attribute("href")
    page.goto("/initiatives/partnership-for-peace/")
    urls["focus-area"] = first_link(page, "/focus-areas/")
    urls["organisation"] = first_link(page, "/organisations/")
    return urls


def test_search_and_filter_a_list(page):
    page.goto("/initiatives/")
    page.get_by_label("Search", exact=True).fill("partnership")
    page.get_by_role("group", name="Status").get_by_label("Ongoing").check()
    page.get_by_role("button", name="Apply").click()

    expect(page).to_have_url(re.compile(r"q=partnership.*status=ongoing"))
    rows = page.locator("table.records tbody tr")
    expect(rows.first).to_be_visible()
    for text in rows.all_inner_texts():
        assert "Ongoing" in text
    expect(page.get_by_role("link", name="Partnership for Peace", exact=False).first).to_be_visible()
    expect(page.locator(".results-count")).to_contain_text(re.compile(r"\d+ results?"))


def test_search_everything_from_the_header_and_reach_a_result(page):
    page.goto("/timeline/")
    box = page.get_by_role("searchbox", name="Search the tracker")
    box.fill("cyber threats")
    box.press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q=cyber\+threats"))
    visits = page.get_by_role("region", name=re.compile(r"^Visits \(\d+\)"))
    visits.get_by_role("link", name=re.compile("September 2025")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("September 2025")
    expect(page.get_by_text("cyber threats", exact=False).first).to_be_visible()


def test_follow_a_search_result_quote_to_its_passage(page):
    page.goto("/search/?q=Sar%C3%A1jevo")
    quotes = page.get_by_role("region", name=re.compile(r"^Quotes \(\d+\)"))
    quotes.get_by_role("link").first.click()

    expect(page).to_have_url(re.compile(r"/sources/[\w-]+/(#c\d+)?$"))


def test_see_how_many_records_carry_each_focus_area_and_open_them(page):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Focus areas").click()
    row = page.get_by_role("row", name=re.compile("^Cyber defence"))
    count = int(row.get_by_role("cell").first.inner_text())
    row.get_by_role("link", name=str(count)).first.click()

    expect(page).to_have_url(re.compile(r"/initiatives/\?focus_area=cyber-defence"))
    expect(page.locator(".results-count")).to_contain_text(f"{count} result")


def test_a_search_that_matches_nothing_says_so(page):
    page.goto("/initiatives/?q=zzzzzz")
    expect(page.get_by_text("Nothing matched")).to_be_visible()


def test_follow_a_record_to_its_detail_and_its_source(page):
    page.goto("/initiatives/?q=partnership+peace")
    page.get_by_role("link", name="Partnership for Peace", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Partnership for Peace")
    expect(page.get_by_role("heading", name="Milestones")).to_be_visible()
    sources = page.locator("section.sources")
    expect(sources.locator("blockquote").first).to_be_visible()

    sources.get_by_role("link", name="Relations with Bosnia and Herzegovina").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Relations with Bosnia and Herzegovina")
    expect(page.get_by_role("link", name=re.compile("Partnership for Peace")).first).to_be_visible()


def test_download_the_filtered_csv(page):
    page.goto("/initiatives/?status=completed&sort=title")
    shown = page.locator("table.records tbody th a").all_inner_texts()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value

    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    assert re.fullmatch(r"initiatives_status-completed_sort-title_\d{4}-\d\d-\d\d\.csv", download.suggested_filename)
    assert [row["title"] for row in rows] == shown
    assert rows and {(row["status"], row["status_label"]) for row in rows} == {("completed", "Completed")}


def test_switch_language_to_bosnian_and_back_on_the_same_page(page):
    page.goto("/initiatives/?status=completed")
    switcher = page.get_by_role("navigation", name="Language")
    expect(switcher.get_by_role("link", name="English")).to_have_attribute("aria-current", "true")
    switcher.get_by_role("link", name="Bosanski").click()

    expect(page.locator("html")).to_have_attribute("lang", "bs")
    expect(page).to_have_url(re.compile(r"/bs/initiatives/\?status=completed$"))
    expect(page.get_by_role("navigation", name="Glavna navigacija")).not_to_contain_text("Recommendations")

    page.get_by_role("navigation", name="Jezik").get_by_role("link", name="Српски").click()
    expect(page.locator("html")).to_have_attribute("lang", "sr")
    expect(page).to_have_url(re.compile(r"/sr/initiatives/\?status=completed$"))

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/initiatives/\?status=completed$"))
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Recommendations")


def test_keyboard_users_can_skip_to_the_content(page):
    page.goto("/initiatives/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_every_page_type_has_no_serious_accessibility_violation(page, axe_violations, screenshot, name):
    page.goto(PAGE_TYPES[name])
    screenshot(page, f"desktop-{name}")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, f"phone-{name}")
    assert axe_violations(page) == []


def test_detail_and_vocabulary_pages_have_no_serious_accessibility_violation(
    page, detail_pages, axe_violations, screenshot
):
    for name, url in detail_pages.items():
        page.goto(url)
        screenshot(page, f"desktop-{name}")
        assert axe_violations(page) == [], name


@pytest.mark.parametrize(
    "slug",
    [
        "nato-relations-with-bosnia-and-herzegovina",
        "nato-approves-first-itpp",
        "nato-deputy-secretary-general-visit-2025",
        "nato-bosnian-partnership-article",
    ],
)
def test_every_source_page_with_its_highlighted_text_has_no_serious_accessibility_violation(
    page, axe_violations, screenshot, slug
):
    page.goto(f"/sources/{slug}/")
    expect(page.locator(".archived-text mark").first).to_be_visible()
    screenshot(page, f"desktop-source-{slug}")
    assert axe_violations(page) == []


def test_follow_a_quote_to_its_passage_in_the_source_and_back(page):
    page.goto("/initiatives/partnership-for-peace/")
    quote = page.locator("section.sources blockquote a").first
    quoted = quote.inner_text()
    quote.click()

    expect(page).to_have_url(re.compile(r"/sources/nato-relations-with-bosnia-and-herzegovina/#c\d+$"))
    anchor = page.locator(f"#{page.url.split('#')[1]}")
    passage = anchor.locator("xpath=following-sibling::mark[1]")
    expect(passage).to_be_in_viewport()
    assert passage.inner_text().split()[:4] == quoted.split()[:4]

    passage.locator("xpath=following-sibling::a[contains(@class, 'cite-link')][1]").click()
    expect(page).to_have_url(re.compile(r"/initiatives/partnership-for-peace/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnership for Peace")


def test_read_a_records_status_history_from_its_status(page):
    page.goto("/initiatives/dcb-package-2023/")
    expect(page.locator(".as-of")).to_contain_text("as of Feb 2023, according to Relations with Bosnia and Herzegovina")
    page.locator(".as-of a").click()

    expect(page).to_have_url(re.compile(r"#update-\d+$"))
    steps = page.locator(".history-timeline > li")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_contain_text("2022")
    expect(steps.nth(0)).to_contain_text("Planned")
    expect(steps.nth(1)).to_contain_text("Feb 2023")
    expect(steps.nth(1)).to_contain_text("NATO Defence Ministers endorsed the new DCB package")
    expect(page.locator(".history-timeline > li:target")).to_have_count(1)


def test_filter_the_overdue_recommendations(page):
    """The two fixture targets of Q1 and Q2 2026 have passed while both are still "Proposed"."""
    page.goto("/recommendations/")
    page.get_by_label("Deadline").select_option("yes")
    page.get_by_role("button", name="Apply").click()

    expect(page).to_have_url(re.compile(r"overdue=yes"))
    rows = page.locator("table.records tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table.records .badge-overdue")).to_have_count(2)
    rows.first.locator("a").first.click()
    expect(page.locator("header .badge-overdue")).to_have_text("Overdue")


def test_see_what_changed_for_one_kind_and_follow_a_change(page):
    page.goto("/")
    page.get_by_role("link", name="What changed").click()
    page.get_by_label("Kind of record").select_option("initiative")
    page.get_by_role("button", name="Show").click()

    expect(page).to_have_url(re.compile(r"/changes/\?kind=initiative"))
    first = page.locator(".change-list article").first
    expect(first).to_contain_text("Status update")
    first.locator("h3 a").click()
    expect(page).to_have_url(re.compile(r"/initiatives/dcb-package-2023/#update-\d+$"))
