"""Every page at desktop (1400 px) and phone (400 and 360 px) widths, in English and French.

Nothing may be clipped or overlap: the key elements' bounding boxes stay inside the viewport and
do not intersect, inside charts too (legend against plot, axis titles against tick labels). Also:
Evolution shows at most its default number of lines in distinct colours, risk-map cells carry
MONARC's band colours, a MOSP link opens the right URL in a new tab, and the "Rising" panel
matches what the test computes itself from the public threat and vulnerability files.
Screenshots of every page at both widths go to output/screenshots/ (ignored by git).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from dashboard.tests import browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.skipif(not browser.available(), reason="needs chromium and chromium-driver"),
]

WIDTHS = [1400, 400, 360]
LANGUAGES = ["en", "fr"]
PAGES = {
    "home": ("/", ["chart-threats", "chart-vulnerabilities", "chart-risks"]),
    "evolution": ("/evolution/", ["chart-evolution", "chart-risk-evolution"]),
    "compliance": ("/compliance/", ["chart-compliance", "chart-compliance-evolution"]),
    "risk-map": ("/risk-map/", ["chart-riskmap"]),
    "map": ("/map/", ["map"]),
    "about": ("/about/", []),
    "help": ("/help/", []),
}
# Elements that must neither leave the viewport nor overlap one another.
KEY = (
    ".topbar, .topbar .brand, .nav-toggle, .topbar nav a, .lang, h1, .lead, main > .card > h2,"
    " .controls, .chart, .bands, table, .map, .facts > div, .moves, footer"
)
# MONARC's band colours (common.js LEVEL_COLORS), as the browser reports a fill.
BAND_FILLS = {"rgb(60, 154, 60)", "rgb(232, 163, 61)", "rgb(200, 49, 43)"}

# The check itself runs in the page: a list of problems in words.
LAYOUT_PROBLEMS = (Path(__file__).parent / "layout_problems.js").read_text()


def js(driver: WebDriver, script: str, *args: Any) -> Any:
    return driver.execute_script(script, *args)


def page_language(driver: WebDriver) -> str:
    return str(js(driver, "return document.documentElement.lang"))


def open_page(driver: WebDriver, url: str, charts: list[str]) -> None:
    driver.get(url)
    for chart in charts:
        assert browser.wait_for_state(driver, chart) in ("ready", "empty"), chart
    if "/map/" in url:
        WebDriverWait(driver, 20).until(
            lambda d: js(d, "return document.querySelectorAll('#map path.country').length") > 100
        )


@pytest.fixture(scope="module", params=LANGUAGES)
def chrome(request: pytest.FixtureRequest, site: str) -> Iterator[WebDriver]:
    with browser.chromium(language=request.param) as driver:
        yield driver


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_is_clipped_or_overlapping(site: str, chrome: WebDriver, width: int) -> None:
    chrome.set_window_size(width, 1000)
    assert js(chrome, "return window.innerWidth") == width
    problems = {}
    for name, (path, charts) in PAGES.items():
        chrome.set_window_size(width, 1000)
        open_page(chrome, site + path, charts)
        found = js(chrome, LAYOUT_PROBLEMS, KEY)
        if width < 700:
            # The menu folds away behind its button; opened, its links fit too.
            assert not chrome.find_element(By.ID, "main-nav").is_displayed(), name
            chrome.find_element(By.CSS_SELECTOR, ".nav-toggle").click()
            assert chrome.find_element(By.ID, "main-nav").is_displayed(), name
            found += js(chrome, LAYOUT_PROBLEMS, ".topbar nav a, .lang, .nav-toggle, .brand")
            chrome.find_element(By.CSS_SELECTOR, ".nav-toggle").click()
        if found:
            problems[name] = found
        browser.screenshot(chrome, f"{name}-{width}-{page_language(chrome)}", width=width)
    assert problems == {}


def test_evolution_shows_five_distinct_lines_by_default(site: str, chrome: WebDriver) -> None:
    chrome.set_window_size(1400, 1000)
    open_page(chrome, site + "/evolution/", ["chart-evolution"])
    colours = js(
        chrome,
        "return document.getElementById('chart-evolution')._fullData"
        ".filter(function (t) { return t.showlegend !== false; })"
        ".map(function (t) { return t.line.color; });",
    )
    assert 1 <= len(colours) <= 5
    assert len(set(colours)) == len(colours)
    # Distinguishable: every pair differs clearly in RGB.
    rgb = [tuple(int(c[k : k + 2], 16) for k in (1, 3, 5)) for c in colours]
    for i, a in enumerate(rgb):
        for b in rgb[i + 1 :]:
            assert sum(abs(x - y) for x, y in zip(a, b, strict=True)) > 90, (a, b)
    # The window shown is stated in words.
    assert chrome.find_element(By.CSS_SELECTOR, "[data-window]").text


def test_risk_map_cells_carry_the_band_colours(site: str, chrome: WebDriver) -> None:
    chrome.set_window_size(1400, 1000)
    open_page(chrome, site + "/risk-map/", ["chart-riskmap"])
    fills = js(
        chrome,
        "return Array.prototype.map.call("
        "document.querySelectorAll('#chart-riskmap .shapelayer path'),"
        " function (p) { return getComputedStyle(p).fill; });",
    )
    assert fills and set(fills) <= BAND_FILLS
    assert len(set(fills)) == 3  # low, medium and high cells on the demo's 5 x 21 grid
    # Each cell's colour is its band for impact x likelihood with the default thresholds 4, 20.
    cells = js(
        chrome,
        "var el = document.getElementById('chart-riskmap');"
        "return el.data[0].customdata.map(function (c, i) {"
        " return [c[2], getComputedStyle("
        "  el.querySelectorAll('.shapelayer path')[i]).fill]; });",
    )
    expected = {
        value: "rgb(60, 154, 60)"
        if value <= 4
        else ("rgb(232, 163, 61)" if value <= 20 else "rgb(200, 49, 43)")
        for value, _ in cells
    }
    assert all(fill == expected[value] for value, fill in cells)
    legend = chrome.find_elements(By.CSS_SELECTOR, ".bands li")
    assert len(legend) == 3


def test_a_mosp_link_opens_the_object_in_a_new_tab(site: str, chrome: WebDriver) -> None:
    chrome.set_window_size(1400, 1000)
    open_page(chrome, site + "/", ["chart-threats"])
    first = js(chrome, "return document.getElementById('chart-threats').data[0].y[0]")
    link = chrome.find_element(By.CSS_SELECTOR, '[data-table-for="chart-threats"] a.mosp')
    assert link.get_attribute("href") == f"https://objects.monarc.lu/object/{first}"
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in (link.get_attribute("rel") or "").split()


def _period_starts(today: date) -> tuple[date, date]:
    """The first days of the month before last and of last month (the two complete ones)."""
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    before = (last - timedelta(days=1)).replace(day=1)
    return before, last


def _expected_moves(site: str, endpoint: str, processor: str) -> dict[str, list[Any]]:
    before, after = _period_starts(date.today())
    days = (date.today() - before).days + 1
    url = f"{site}/stats/{endpoint}.json?processor={processor}&period=month&days={days}"
    with urlopen(url) as response:
        rows = json.load(response)
    moves = []
    for row in rows:
        points = {p["date"]: float(p["averageRate"]) for p in row["values"]}
        if before.isoformat() in points and after.isoformat() in points:
            change = round(points[after.isoformat()] - points[before.isoformat()], 4)
            if change:
                moves.append((change, row["object"]))
    up = sorted((m for m in moves if m[0] > 0), key=lambda m: (-m[0], m[1]))[:5]
    down = sorted((m for m in moves if m[0] < 0), key=lambda m: (m[0], m[1]))[:5]
    return {"up": [[o, c] for c, o in up], "down": [[o, c] for c, o in down]}


def test_the_rising_panel_matches_the_public_files(site: str, chrome: WebDriver) -> None:
    chrome.set_window_size(1400, 1000)
    open_page(chrome, site + "/", [])
    js(chrome, "document.getElementById('rising').dataset.drawn = 'old';")
    Select(
        chrome.find_element(By.CSS_SELECTOR, '[data-controls-for="rising"] [data-control="period"]')
    ).select_by_value("month")
    WebDriverWait(chrome, 30).until(
        lambda d: js(
            d,
            "var e = document.getElementById('rising');"
            "return e.dataset.state !== 'loading' && e.dataset.drawn !== 'old';",
        )
    )
    assert js(chrome, "return document.getElementById('rising').dataset.state") == "ready"
    listed = 0
    for endpoint, processor in (
        ("threats", "threat_average_on_date"),
        ("vulnerabilities", "vulnerability_average_on_date"),
    ):
        expected = _expected_moves(site, endpoint, processor)
        for way in ("up", "down"):
            shown = js(
                chrome,
                "return Array.prototype.map.call(document.querySelectorAll("
                "'[data-moves=\"' + arguments[0] + '\"] li[data-object]'), function (li) {"
                " return [li.dataset.object,"
                " Number(li.querySelector('[data-change]').dataset.change)]; });",
                f"{endpoint}-{way}",
            )
            assert shown == expected[way], (endpoint, way)
            listed += len(shown)
    assert listed > 0
    browser.screenshot(chrome, f"home-rising-{page_language(chrome)}", width=1400)
