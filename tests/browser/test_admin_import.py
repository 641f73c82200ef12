"""What staff do in the admin's two-step import, in real Chromium: preview, confirm, and who may import."""

import re

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from tracker.models import Recommendation

PASSWORD = "correct horse battery staple"
HEADER = "Title,Focus area,Status,Target,Source,Quote,Published"
TITLE = "Joint cyber exercise with the Armed Forces"
SLUG = "joint-cyber-exercise-with-the-armed-forces"
SOURCE = "nato-relations-with-bosnia-and-herzegovina"
QUOTE = "NATO supports the development of security and defence capabilities"
GOOD_ROW = f"{TITLE},Cyber defence,Proposed,Q4 2026,{SOURCE},{QUOTE},yes"
BAD_TITLE = "Joint cyber exercise with a bad row"
BAD_ROW = f"{BAD_TITLE},Cyber,Proposed,31/02/2026,{SOURCE},{QUOTE},yes"

CHANGELIST = "/admin/tracker/recommendation/"
IMPORT = "/admin/tracker/recommendation/import/"


@pytest.fixture
def staff_user(seeded_live_server):
    def make(username, group_name):
        user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=group_name))
        return user

    return make


@pytest.fixture
def editor(staff_user):
    return staff_user("edna", "Editors")


@pytest.fixture
def viewer(staff_user):
    return staff_user("victor", "Viewers")


def log_in(page, user):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def upload(page, path):
    """From the changelist, through the Import button, to the preview of ``path`` read as CSV."""
    page.goto(CHANGELIST)
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page).to_have_url(re.compile(f"{IMPORT}$"))
    page.get_by_label("File to import").set_input_files(path)
    page.get_by_label("Format").select_option(label="csv")
    page.get_by_role("button", name="Submit").click()


def write_csv(tmp_path, *rows):
    path = tmp_path / "recommendations.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_an_editor_previews_then_confirms_an_import_that_appears_on_the_public_site(page, editor, tmp_path, screenshot):
    log_in(page, editor)
    upload(page, write_csv(tmp_path, GOOD_ROW))

    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    preview_row = page.locator("table.import-preview tr.new")
    expect(preview_row).to_have_count(1)
    expect(preview_row.locator("td.import-type")).to_have_text("New")
    expect(preview_row).to_contain_text(TITLE)
    screenshot(page, "admin-import-preview")
    assert not Recommendation.objects.filter(slug=SLUG).exists(), "the preview is a dry run"

    page.get_by_role("button", name="Confirm import").click()

    expect(page).to_have_url(re.compile(f"{CHANGELIST}$"))
    expect(page.locator(".messagelist")).to_contain_text("Import finished: 1 new, 0 updated, 0 deleted and 0 skipped")
    screenshot(page, "admin-import-done")
    recommendation = Recommendation.objects.get(slug=SLUG)
    assert recommendation.published
    assert recommendation.citations.filter(source__slug=SOURCE, quote=QUOTE).count() == 1

    page.goto(f"/recommendations/{SLUG}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("section.sources blockquote")).to_have_text(QUOTE)
    screenshot(page, "admin-import-public-page")


def test_a_bad_row_is_reported_by_row_and_column_and_cannot_be_confirmed(page, editor, tmp_path, screenshot):
    before = Recommendation.objects.count()
    log_in(page, editor)
    upload(page, write_csv(tmp_path, BAD_ROW))

    expect(page.get_by_role("heading", name="Some rows failed to validate")).to_be_visible()
    invalid = page.locator("table.import-preview tbody tr")
    expect(invalid).to_have_count(1)
    expect(invalid.locator("th").first).to_have_text("1")
    errors = invalid.locator("td.errors .validation-error-list > li")  # visible as they are: no hover needed
    expect(errors.first).to_be_visible()
    expect(errors.filter(has_text="Focus area")).to_contain_text("unknown focus area “Cyber”")
    expect(errors.filter(has_text="Target")).to_contain_text("“31/02/2026” is not a real date.")
    expect(errors).to_have_count(2)  # and no false "needs a citation": the row has one
    screenshot(page, "admin-import-errors")

    expect(page.get_by_role("button", name="Confirm import")).to_have_count(0)
    assert Recommendation.objects.count() == before
    assert not Recommendation.objects.filter(title=BAD_TITLE).exists()


def test_a_viewer_can_export_but_not_import_or_add(page, viewer, screenshot):
    log_in(page, viewer)
    page.goto(CHANGELIST)

    tools = page.locator(".object-tools")
    expect(tools.get_by_role("link", name="Export", exact=True)).to_be_visible()
    expect(tools.get_by_role("link", name="Import", exact=True)).to_have_count(0)
    expect(tools.get_by_role("link", name=re.compile(r"^Add\b"))).to_have_count(0)
    screenshot(page, "admin-viewer-changelist")

    response = page.goto(IMPORT)
    assert response.status == 403


CSP_WATCH = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


def test_the_import_preview_and_the_export_page_run_under_the_strict_csp(page, editor, tmp_path):
    page.add_init_script(CSP_WATCH)
    log_in(page, editor)
    changed = f"{TITLE},Cyber defence,Proposed,Q4 2026,{SOURCE},{QUOTE},yes"
    upload(page, write_csv(tmp_path, changed))
    page.get_by_role("button", name="Confirm import").click()
    upload(page, write_csv(tmp_path, changed.replace("Proposed", "Accepted")))  # an update: cells with a diff
    expect(page.locator("table.import-preview tr.update ins").first).to_have_css(
        "background-color", "rgb(230, 255, 230)"
    )
    assert page.evaluate("window.cspViolations") == []

    page.goto(CHANGELIST)
    page.get_by_role("link", name="Export", exact=True).click()
    fields = page.locator('.selectable-field-export-row input[type="checkbox"]')
    expect(fields.first).to_be_checked()
    page.get_by_label("Select all").uncheck()
    expect(fields.first).not_to_be_checked()
    assert page.evaluate("window.cspViolations") == []
