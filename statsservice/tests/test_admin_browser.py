"""The admin pages an operator uses daily, in headless Chromium against gunicorn: the client list
fits beside its filter panel, a one-time token stays on one line, stats come newest first,
sharing runs show readable sizes, and the pages have a favicon. Screenshots go to
output/screenshots/admin-*.png (ignored by git)."""

from __future__ import annotations

import re
import secrets
import urllib.request
from datetime import date, datetime

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.tests import browser
from statsservice.testing.live import Instance

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.skipif(not browser.available(), reason="needs chromium and chromium-driver"),
]


@pytest.fixture(scope="module")
def site():
    with Instance("admin", REMOTE_STATS_SERVER="http://127.0.0.1:9") as live:
        live.manage("generate_demo_stats", "--clients", "3", "--analyses", "1", "--days", "5")
        live.manage("bootstrap_dev")
        # A recorded sharing run with a size to show (a dry run sends nothing).
        live.manage("stats_push", "--dry-run")
        live.password = secrets.token_urlsafe(12)
        live.manage(
            "createsuperuser", "--noinput", "--username", "operator", "--email", "op@example.org",
            DJANGO_SUPERUSER_PASSWORD=live.password,
        )  # fmt: skip
        live.start()
        yield live


@pytest.fixture(scope="module")
def driver(site):
    with browser.chromium() as chrome:
        chrome.get(f"{site.url}/admin/login/")
        chrome.find_element(By.NAME, "username").send_keys("operator")
        chrome.find_element(By.NAME, "password").send_keys(site.password)
        chrome.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
        # A click starts a navigation: read the page once the next one has arrived.
        WebDriverWait(chrome, 30).until(lambda d: "/admin/login/" not in d.current_url)
        assert "Site administration" in chrome.page_source
        yield chrome


def rect(driver, element) -> dict:
    return driver.execute_script("return arguments[0].getBoundingClientRect().toJSON();", element)


def line_height(driver, element) -> float:
    return float(
        driver.execute_script(
            "var s = getComputedStyle(arguments[0]);"
            "return parseFloat(s.lineHeight) || parseFloat(s.fontSize) * 1.3;",
            element,
        )
    )


def test_the_client_list_fits_beside_the_filter_panel(site, driver):
    driver.get(f"{site.url}/admin/clients/client/")
    browser.screenshot(driver, "admin-clients")
    created = driver.find_element(By.CSS_SELECTOR, "#result_list th.column-created")
    panel = driver.find_element(By.ID, "changelist-filter")
    assert rect(driver, created)["right"] <= rect(driver, panel)["left"] + 1
    for cell in driver.find_elements(By.CSS_SELECTOR, "#result_list td.field-uuid"):
        assert rect(driver, cell)["height"] < 2.5 * line_height(driver, cell), cell.text
        assert re.fullmatch(r"[0-9a-f-]{36}", cell.text)
    dates = driver.find_elements(By.CSS_SELECTOR, "#result_list td.field-created")
    assert dates and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", d.text) for d in dates)


def test_a_one_time_token_stays_on_one_line(site, driver):
    driver.get(f"{site.url}/admin/clients/client/add/")
    driver.find_element(By.NAME, "name").send_keys("FO browser")
    # A token full of hyphens, where a browser would otherwise break the line.
    token = "-".join(secrets.token_hex(3) for _ in range(12))
    driver.find_element(By.NAME, "token").send_keys(token)
    driver.find_element(By.NAME, "_save").click()
    WebDriverWait(driver, 30).until(lambda d: not d.current_url.endswith("/add/"))
    shown = [
        element
        for element in driver.find_elements(By.CSS_SELECTOR, "ul.messagelist li, .one-time-token")
        if token in element.text
    ]
    browser.screenshot(driver, "admin-one-time-token")
    assert shown, driver.page_source[:2000]
    element = shown[-1]
    assert rect(driver, element)["height"] < 2.5 * line_height(driver, element)


def shown_day(text: str) -> date:
    """A date as the admin shows it in English ("Dec. 1, 2026", "May 4, 2026", "Sept. 2, …")."""
    cleaned = text.replace("Sept.", "Sep.").replace(".", "")
    for pattern in ("%b %d, %Y", "%B %d, %Y"):
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise AssertionError(f"unexpected date {text!r}")


def test_stats_are_listed_newest_first(site, driver):
    driver.get(f"{site.url}/admin/stats/stats/")
    browser.screenshot(driver, "admin-stats")
    days = [shown_day(c.text) for c in driver.find_elements(By.CSS_SELECTOR, "td.field-date")]
    assert len(set(days)) == 5
    assert days == sorted(days, reverse=True)


def test_sharing_runs_show_readable_sizes(site, driver):
    driver.get(f"{site.url}/admin/sharing/sharingrun/")
    browser.screenshot(driver, "admin-sharing-runs")
    sizes = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "td.field-size")]
    assert sizes and all(re.fullmatch(r"\d+(\.\d)? (B|KiB|MiB|GiB)", size) for size in sizes)


def test_admin_pages_have_a_favicon(site, driver):
    driver.get(f"{site.url}/admin/")
    href = driver.find_element(By.CSS_SELECTOR, "link[rel=icon]").get_attribute("href")
    with urllib.request.urlopen(href, timeout=30) as response:
        assert response.status == 200
        assert b"<svg" in response.read()
