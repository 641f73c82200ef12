"""The API's documentation page in real Chromium, under the site's strict CSP."""

from urllib.parse import urlsplit

from playwright.sync_api import expect


def test_the_api_docs_page_lists_every_operation_with_no_csp_violation(page, seeded_live_server):
    messages, violations, hosts = [], [], set()
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " event => window.__violations = [...(window.__violations || []), event.violatedDirective])"
    )

    page.goto("/api/")
    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible()

    paths = set(operations.all_inner_texts())
    assert {"/api/initiatives/", "/api/initiatives/{slug}/", "/api/status-updates/{id}/"} <= {
        path.replace("\u200b", "") for path in paths
    }
    assert operations.count() == 18
    violations = page.evaluate("window.__violations || []")
    assert violations == []
    assert [message for message in messages if "Content Security Policy" in message or "error" in message] == []
    assert hosts == {urlsplit(seeded_live_server.url).netloc}  # every asset from the app itself
