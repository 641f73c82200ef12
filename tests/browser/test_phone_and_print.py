"""On a phone the results come first and the filters fold away; printed, a page keeps its content, address
and date without the navigation."""

import re

from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}


def test_on_a_phone_the_results_start_near_the_top_and_the_filters_open_on_demand(page):
    page.set_viewport_size(PHONE)
    page.goto("/initiatives/")
    results = page.locator(".results-count").bounding_box()
    assert results["y"] < PHONE["height"] / 2, results  # on the first screen, not under the filters
    search = page.get_by_label("Search", exact=True)
    expect(search).to_be_hidden()

    page.get_by_text("Filter and sort").click()
    expect(search).to_be_visible()
    search.fill("partnership")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"q=partnership"))


def test_on_a_phone_a_wide_table_scrolls_and_says_so(page):
    page.set_viewport_size(PHONE)
    page.goto("/initiatives/")
    expect(page.get_by_text("Scroll the table sideways to see every column.")).to_be_visible()
    scroller = page.get_by_role("region", name="Table of results")
    widths = scroller.evaluate("element => [element.scrollWidth, element.clientWidth]")
    assert widths[0] > widths[1]  # the columns are all there, one scroll away
    last_header = page.locator("table.records thead th").last
    last_header.scroll_into_view_if_needed()
    expect(last_header).to_be_in_viewport()


def test_on_a_wide_screen_the_filters_stay_open_beside_the_results(page):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/initiatives/")
    expect(page.get_by_label("Search", exact=True)).to_be_visible()
    expect(page.get_by_text("Filter and sort")).to_be_hidden()
    expect(page.get_by_text("Scroll the table sideways to see every column.")).to_be_hidden()


def test_a_printed_record_has_no_navigation_and_says_where_and_when_it_was_printed(page):
    page.goto("/initiatives/dcb-package-2023/")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    printed = page.locator(".print-only")
    expect(printed).to_be_visible()
    expect(printed).to_contain_text(re.compile(r"Printed from http://.+/initiatives/dcb-package-2023/ · \d+ \w+ \d{4}"))

    page.goto("/initiatives/")
    page.emulate_media(media="print")
    expect(page.locator(".list-filters")).to_be_hidden()
    expect(page.locator("table.records")).to_be_visible()
