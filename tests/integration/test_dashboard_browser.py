"""The editors' dashboard as an editor sees it: a real broker and worker, a wire story posted
to `POST /stories`, and headless Chromium (Selenium) watching it arrive on the live feed."""

from __future__ import annotations

import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from agents.settings import Settings
from agents.worker.topics import ensure_topics, topic_specs
from tests.integration.conftest import running_worker

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOT_COPY = Path("/tmp/wirestream-dashboard.png")
ARRIVAL_SECONDS = 60.0  # the first story also waits for the worker's spaCy model to load


def browser_missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            return f"{path} is absent (run `bash deploy/install-tools.sh`)"
    return None


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    reason = browser_missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test, but {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    # An explicit driver path: Selenium Manager never runs, so nothing is downloaded.
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def post_story(settings: Settings, data: bytes) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"{settings.web_url}/stories",
        data=data,
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, orjson.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, orjson.loads(exc.read())


def get_json(settings: Settings, path: str) -> Any:
    with urllib.request.urlopen(f"{settings.web_url}{path}", timeout=10) as response:
        return orjson.loads(response.read())


def first_live_card(settings: Settings) -> dict[str, Any]:
    """The first story the worker's SSE stream sends a new client (its ring-buffer backlog)."""
    with urllib.request.urlopen(f"{settings.web_url}/events", timeout=10) as response:
        for raw in response:
            line = raw.decode().rstrip("\n")
            if line.startswith("data: "):
                card: dict[str, Any] = orjson.loads(line[len("data: ") :])
                return card
    raise AssertionError("the stream closed before sending a story")


def test_a_story_posted_over_http_appears_on_the_live_dashboard(
    settings: Settings,
    wire_story: Path,
    wire_story_expected: dict[str, Any],
    browser: Any,
    tmp_path: Path,
) -> None:
    from kafka import KafkaProducer
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def cards(driver: Any) -> list[Any]:
        return driver.find_elements(By.CSS_SELECTOR, "#feed .card")

    ensure_topics(settings)
    with running_worker(settings, tmp_path / "worker.log"):
        browser.get(f"{settings.web_url}/")
        WebDriverWait(browser, 20).until(
            lambda d: d.find_element(By.ID, "connection").get_attribute("data-state") == "live"
        )

        status, ack = post_story(settings, wire_story.read_bytes())
        assert status == 202, ack
        assert ack["topic"].endswith("stories.raw.v1") and ack["offset"] >= 0

        (card,) = WebDriverWait(browser, ARRIVAL_SECONDS).until(cards)
        event = first_live_card(settings)
        assert card.get_attribute("data-story-id") == ack["story_id"] == event["story_id"]

        # the headline (or, for copy sent without one, the start of the story)
        headline = card.find_element(By.CSS_SELECTOR, ".headline").text
        expected = event["headline"] or wire_story_expected["text"][:40]
        assert " ".join(headline.split()).startswith(" ".join(expected.split())[:40]), headline

        # entities as chips grouped by label
        person_chips = [
            c.text.split("×")[0].strip()
            for c in card.find_elements(By.CSS_SELECTOR, ".group[data-label='PERSON'] .chip")
        ]
        assert any("Verbeek" in name for name in person_chips), person_chips
        assert len(card.find_elements(By.CSS_SELECTOR, ".chip")) == len(event["entities"])

        # each placed entity shows its place's country code beside its name
        codes = {
            c.get_attribute("title").removeprefix("Show only stories about "): c.find_element(
                By.CSS_SELECTOR, ".cc"
            ).text
            for c in card.find_elements(By.CSS_SELECTOR, ".chip")
            if c.find_elements(By.CSS_SELECTOR, ".cc")
        }
        assert codes.get("Rotterdam") == "NL", codes
        assert codes == {e["name"]: e["country"] for e in event["entities"] if "country" in e}
        assert {"Antwerp", "Hamburg"} <= set(codes), codes

        # quotes with speakers: required as soon as the pipeline attributes any
        speakers = [q["speaker"] for q in event["quotes"] if q.get("speaker")]
        shown = [s.text for s in card.find_elements(By.CSS_SELECTOR, ".quote .speaker")]
        assert len(shown) == len(event["quotes"])
        for speaker in speakers:
            assert any(text.startswith(f"— {speaker}") for text in shown), (speaker, shown)
        assert len(card.find_elements(By.CSS_SELECTOR, ".timex li")) == len(event["timex"])

        # trending and pipeline counts fill in from their endpoints
        WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#trending li"))
        WebDriverWait(browser, 15).until(
            lambda d: d.find_element(By.ID, "stat-enriched").text == "1"
        )
        trending = get_json(settings, "/trending")
        assert any("Verbeek" in row["name"] for row in trending["entities"]), trending

        screenshot = tmp_path / "dashboard.png"
        assert browser.save_screenshot(str(screenshot))
        shutil.copyfile(screenshot, SCREENSHOT_COPY)

        # a filter reconnects the stream with query parameters
        browser.find_element(By.ID, "f-entity").send_keys("Nobody In This Story")
        browser.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
        WebDriverWait(browser, 10).until(lambda d: not cards(d))
        assert "entity=Nobody" in browser.current_url
        browser.find_element(By.ID, "f-clear").click()
        WebDriverWait(browser, 10).until(cards)
        # ... and by the country of a place: the story's places are in NL, BE and DE
        browser.find_element(By.ID, "f-country").send_keys("jp")
        browser.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
        WebDriverWait(browser, 10).until(lambda d: not cards(d))
        assert "country=JP" in browser.current_url
        browser.find_element(By.ID, "f-country").clear()
        browser.find_element(By.ID, "f-country").send_keys("BE")
        browser.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
        WebDriverWait(browser, 10).until(cards)
        assert "country=BE" in browser.current_url
        browser.find_element(By.ID, "f-clear").click()
        WebDriverWait(browser, 10).until(cards)

        # a kill notice on the enriched topic takes the story off the page
        producer = KafkaProducer(bootstrap_servers=settings.broker)
        kill = orjson.dumps({"kind": "kill", "story_id": event["story_id"]})
        producer.send(
            topic_specs(settings)["enriched"].name, kill, key=event["story_id"].encode()
        ).get(timeout=30)
        producer.close()
        WebDriverWait(browser, 15).until(lambda d: not cards(d))


UNBROKEN = "https://example.org/notice?ref=" + "A7" * 120
MARKS = "\u201c" * 60


def test_a_card_holds_long_unbroken_strings(
    settings: Settings, browser: Any, tmp_path: Path
) -> None:
    """A URL and a run of quotation marks with no space wrap inside their card: every card
    keeps the width of the feed, and nothing inside it is wider than the card."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    plain = (
        "date 2026-12-02\nid urn:wrap:plain\nheadline Port reopens after storm\n\n"
        "Dock workers in Valletta returned on Wednesday after a storm closed the port.\n"
    )
    long = (
        f"date 2026-12-02\nid urn:wrap:long\nheadline Notice {UNBROKEN}\n\n"
        f"The harbour office posted its notice at {UNBROKEN} on Wednesday. {MARKS}\n\n"
        f"\u201cRead it at {UNBROKEN} before sailing,\u201d said Karl Vella, the harbour master.\n"
    )
    ensure_topics(settings)
    with running_worker(settings, tmp_path / "worker.log"):
        browser.get(f"{settings.web_url}/")
        WebDriverWait(browser, 20).until(
            lambda d: d.find_element(By.ID, "connection").get_attribute("data-state") == "live"
        )
        for copy in (plain, long):
            status, ack = post_story(settings, copy.encode())
            assert status == 202, ack
        WebDriverWait(browser, ARRIVAL_SECONDS).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "#feed .card")) == 2
        )
        measure = browser.execute_script(
            """
            const cards = [...document.querySelectorAll('#feed .card')];
            return cards.map(c => ({
              id: c.dataset.storyId,
              width: c.getBoundingClientRect().width,
              scroll: c.scrollWidth,
              client: c.clientWidth,
              widest: Math.max(...[...c.querySelectorAll('*')].map(
                e => e.getBoundingClientRect().right)) - c.getBoundingClientRect().left,
            }));
            """
        )
    by_id = {m["id"]: m for m in measure}
    plain_card, long_card = by_id["urn:wrap:plain"], by_id["urn:wrap:long"]
    assert abs(long_card["width"] - plain_card["width"]) < 1, measure
    assert long_card["scroll"] <= long_card["client"] + 1, measure
    assert long_card["widest"] <= long_card["width"] + 1, measure
