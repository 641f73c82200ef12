"""Real headless Chromium (Debian's) driven by Playwright against a live test server."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by
# the tests themselves are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(config, items):
    """Without Chromium or axe-core, skip these tests locally; CI sets REQUIRE_BROWSER so they must run."""
    browser_items = [item for item in items if Path(str(item.fspath)).parent == Path(__file__).parent]
    missing = [str(path) for path in (Path(CHROMIUM), AXE) if not path.exists()]
    if not missing:
        return
    if os.environ.get("REQUIRE_BROWSER"):
        raise pytest.UsageError(f"REQUIRE_BROWSER is set but these are missing: {', '.join(missing)}")
    skip = pytest.mark.skip(reason=f"missing {', '.join(missing)} (apt-get install chromium; npm ci in tests/browser)")
    for item in browser_items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def seeded_live_server(transactional_db, staff_groups, live_server):
    call_command("seed", verbosity=0)
    return live_server


@pytest.fixture
def page(browser, seeded_live_server):
    context = browser.new_context(base_url=seeded_live_server.url, accept_downloads=True, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return take


@pytest.fixture
def axe_violations():
    """Run axe-core on the page; return the serious and critical violations."""
    source = AXE.read_text(encoding="utf-8") if AXE.exists() else ""

    def check(page):
        page.evaluate(source)
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [
            (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
            for violation in result["violations"]
            if violation["impact"] in ("serious", "critical")
        ]

    return check
