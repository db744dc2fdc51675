"""A curator's and a reviewer's day in a real browser: Playwright driving Debian's Chromium at 1280×900.

Skipped, with the reason, where Chromium or Playwright is missing (`.ci/run` installs both, and sets
REQUIRE_BROWSER so that CI fails instead of skipping). Never
`playwright install`: the browser is the system's /usr/bin/chromium. Screenshots of each step go to
BROWSER_SCREENSHOTS (a folder) when it is set, to be looked at.
"""

import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from statements.demo import load_demo
from statements.models import Statement, Status
from tests.factories import make_user

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - the dev requirements install it
    sync_playwright = None

if os.environ.get("REQUIRE_BROWSER") and (CHROMIUM is None or sync_playwright is None):
    raise RuntimeError("REQUIRE_BROWSER is set (as .ci/run sets it), but Chromium or Playwright is missing")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)"),
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed (requirements-dev.txt)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SUMMARY = "Koizumi briefs Rutte and Crosetto on the radar incident"


@pytest.fixture
def browser(people):
    """Chromium, started for one test once its data is in place and stopped before the database is reset.

    Playwright's sync API runs an event loop in this thread for as long as it is open. Django then keeps
    per-context connections, and one made while it runs lacks what the test database setup stored on
    the first (the rows to restore): so the browser never outlives a test.
    """
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def people(db):
    load_demo()
    return {"curator": make_user("curator", "curators"), "reviewer": make_user("reviewer", "curators", "reviewers")}


def typed_in(url, typed):
    terms = parse_qs(urlsplit(url).query).get("term", [])
    return typed in terms


class Desk:
    """One user's browser tab on the live server, logged in through the admin's login form."""

    def __init__(self, browser, live_server, username, shots):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.url, self.username, self.shots = live_server.url, username, shots
        self.page.goto(f"{self.url}/admin/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", f"{username}-password-1")
        self.page.click("input[type=submit]")
        expect(self.page.locator("#user-tools")).to_contain_text(username)

    def shot(self, name):
        if self.shots is not None:
            self.page.screenshot(path=str(self.shots / f"{self.username}-{name}.png"), full_page=True)

    def choose(self, field_id, typed, expected):
        """Type into the autocomplete of `field_id` and pick the result that reads `expected`."""
        self.page.locator(f"#{field_id} + .select2-container").click()
        search = self.page.locator(".select2-container--open .select2-search__field")
        # The results of what was typed, not those the empty box showed a moment before.
        with self.page.expect_response(
            lambda response: "/autocomplete/" in response.url and typed_in(response.url, typed)
        ):
            search.fill(typed)
        option = self.page.locator(".select2-results__option", has_text=expected).first
        expect(option).to_be_visible()
        highlighted = self.page.locator(".select2-results__option--highlighted")
        first_result = highlighted.inner_text()
        option.click()
        return first_result

    def close(self):
        self.context.close()


@pytest.fixture
def desks(browser, live_server, people):
    shots = Path(os.environ["BROWSER_SCREENSHOTS"]) if os.environ.get("BROWSER_SCREENSHOTS") else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    opened = []

    def open_desk(username):
        desk = Desk(browser, live_server, username, shots)
        opened.append(desk)
        return desk

    yield open_desk
    for desk in opened:
        desk.close()


def anonymous_api(desk, live_server):
    """What an anonymous client reads of Koizumi's statements."""
    anonymous = desk.context.browser.new_context()
    try:
        return anonymous.request.get(f"{live_server.url}/api/v1/statements/?speaker=shinjiro-koizumi").text()
    finally:
        anonymous.close()


def test_a_curator_records_and_submits_a_statement_a_reviewer_publishes_it_and_the_api_serves_it(desks, live_server):
    curator = desks("curator")
    page = curator.page
    page.goto(f"{live_server.url}/admin/statements/statement/add/")
    curator.choose("id_speakers", "Koizumi", "Shinjiro Koizumi")
    curator.choose("id_recipients", "Rutte", "Mark Rutte")
    curator.choose("id_recipients", "Crosetto", "Guido Crosetto")
    page.fill("#id_date", "2025-12-10")
    page.select_option("#id_channel", "video_call")
    page.fill("#id_text", "Koizumi conveyed grave concerns over the radar incident.")
    page.fill("#id_summary", SUMMARY)
    page.locator("#stance_tags-group .add-row a").click()
    # Intensity is worded on the chosen act's family scale.
    page.select_option("#id_stance_tags-0-category", label="A1 Praise or endorse")
    expect(page.locator("#id_stance_tags-0-intensity option[value='1']")).to_have_text("1 supportive")
    page.select_option("#id_stance_tags-0-category", label="K1 Express concern")
    expect(page.locator("#id_stance_tags-0-intensity option[value='3']")).to_have_text(
        "3 grave concern / strongly oppose"
    )
    expect(page.locator("#stance_tags-group .codebook-note").first).to_contain_text("Example:")
    curator.choose("id_stance_tags-0-target_actor", "China", "China · state")
    page.select_option("#id_stance_tags-0-polarity", "against")
    page.select_option("#id_stance_tags-0-intensity", "3")
    page.locator("#citations-group .add-row a").click()
    curator.choose("id_citations-0-source", "seed report", "News agency feed")
    page.select_option("#id_status", "in_review")
    curator.shot("statement-filled")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()

    statement = Statement.objects.get(summary=SUMMARY)
    assert statement.status == Status.IN_REVIEW
    assert [tag.curator.username for tag in statement.stance_tags.all()] == ["curator"]
    assert SUMMARY not in anonymous_api(curator, live_server)

    reviewer = desks("reviewer")
    reviewer.page.goto(f"{live_server.url}/admin/statements/statement/?queue=review")
    reviewer.page.locator("tr", has_text="radar incident").locator("input.action-select").check()
    reviewer.page.select_option("select[name=action]", "publish")
    reviewer.page.click("button[name=index]")
    expect(reviewer.page.locator(".messagelist")).to_contain_text("1 statement(s) published")
    reviewer.shot("published")

    served = json.loads(anonymous_api(reviewer, live_server))
    published = [row for row in served["results"] if row["summary"] == SUMMARY]
    assert len(published) == 1
    assert {recipient["slug"] for recipient in published[0]["recipients"]} == {"mark-rutte", "guido-crosetto"}
    assert [(tag["category"], tag["target_actor"], tag["intensity"]) for tag in published[0]["stance_tags"]] == [
        ("K1", "china", 3)
    ]


def test_typing_japan_offers_the_state_first(desks, live_server):
    curator = desks("curator")
    curator.page.goto(f"{live_server.url}/admin/statements/statement/add/")

    first = curator.choose("id_recipients", "Japan", "Japan · state")

    assert first == "Japan · state"
    chosen = curator.page.locator("#id_recipients + .select2-container .select2-selection__choice")
    expect(chosen).to_have_count(1)
    expect(chosen).to_contain_text(re.compile(r"Japan · state"))


def test_the_statement_page_fits_1280_pixels_without_horizontal_scrolling(desks, live_server):
    reviewer = desks("reviewer")
    statement = Statement.objects.get(summary__startswith="Koizumi conveys grave concerns")
    reviewer.page.goto(f"{live_server.url}/admin/statements/statement/{statement.pk}/change/")
    reviewer.page.locator("#stance_tags-group .add-row a").click()
    reviewer.shot("statement-page")

    width = reviewer.page.evaluate("document.documentElement.scrollWidth")

    assert width <= 1280, f"the page is {width} px wide"
    # Every field of a tag row is on screen at once.
    for field in ("category", "target_actor", "polarity", "intensity"):
        box = reviewer.page.locator(f"#stance_tags-0 td.field-{field}").bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1280, field


def test_roles_show_before_saving_and_a_failed_save_brings_the_first_error_into_view(desks, live_server):
    curator = desks("curator")
    page = curator.page
    page.goto(f"{live_server.url}/admin/statements/statement/add/")
    curator.choose("id_speakers", "Koizumi", "Shinjiro Koizumi")
    page.fill("#id_date", "2025-12-10")
    page.locator("#id_date").blur()
    expect(page.locator(".speaker-roles")).to_contain_text("Minister of Defense, Government of Japan")
    page.fill("#id_date", "2019-01-01")
    page.locator("#id_date").blur()
    expect(page.locator(".speaker-roles .warning")).to_contain_text("no role recorded on 2019-01-01")

    page.fill("#id_date", "2025-12-10")
    page.select_option("#id_channel", "video_call")
    page.locator("#stance_tags-group .add-row a").click()
    page.select_option("#id_stance_tags-0-category", label="K1 Express concern")
    curator.choose("id_stance_tags-0-target_actor", "China", "China · state")
    curator.choose("id_stance_tags-0-target_topic", "radar", "radar")
    page.click("input[name=_save]")

    expect(page.locator("p.errornote")).to_be_visible()
    expect(page.locator("p.errornote a.first-error-link")).to_be_visible()
    expect(page.locator("#stance_tags-0")).to_have_class(re.compile("has-errors"))
    first_error = page.locator("ul.errorlist").first
    expect(first_error).to_be_in_viewport()
    expect(first_error).to_contain_text("one target")
    curator.shot("failed-save")


def test_a_curators_edit_of_a_published_statement_reaches_the_api_only_once_a_reviewer_approves(desks, live_server):
    statement = Statement.objects.get(summary__startswith="Koizumi conveys grave concerns")
    reworded = "Koizumi tells Rutte and Crosetto of grave concerns over China and Russia"
    curator = desks("curator")
    curator.page.goto(f"{live_server.url}/admin/statements/statement/{statement.pk}/change/")
    curator.page.fill("#id_summary", reworded)
    curator.page.click("input[name=_save]")
    expect(curator.page.locator(".messagelist")).to_contain_text("wait for a reviewer")
    curator.shot("revision-proposed")
    assert reworded not in anonymous_api(curator, live_server)

    reviewer = desks("reviewer")
    reviewer.page.goto(f"{live_server.url}/admin/statements/statement/?queue=revised")
    reviewer.page.locator("#result_list a", has_text="Koizumi").first.click()
    reviewer.page.locator(".field-pending_revisions a").first.click()
    expect(reviewer.page.locator("table.revision-diff")).to_contain_text(reworded)
    reviewer.shot("revision-diff")
    reviewer.page.check("input[name=decision][value=approve]")
    reviewer.page.fill("#id_comment", "Closer to the report.")
    reviewer.page.click("input[name=_save]")
    expect(reviewer.page.locator(".messagelist")).to_be_visible()

    assert reworded in anonymous_api(reviewer, live_server)
