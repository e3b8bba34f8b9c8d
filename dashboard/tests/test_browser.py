"""The pages in headless Chromium, against gunicorn mounted under a URL prefix.

The database is filled by `manage.py generate_demo_stats` (4 clients x 2 analyses x 60 days, above
PUBLIC_MIN_CONTRIBUTORS); each test checks what the charts actually drew, changes a selector and
sees the chart change. Screenshots go to output/screenshots/ (ignored by git).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from dashboard.tests import browser
from dashboard.tests.browser import PREFIX, prefixed_instance
from stats.kinds.demo_fr import FRENCH

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.skipif(not browser.available(), reason="needs chromium and chromium-driver"),
]


@pytest.fixture(scope="module")
def empty_site():
    with prefixed_instance() as live:
        live.start()
        yield live.url + PREFIX


ZERO_THREATS = [
    ("0a000000-0000-4000-8000-000000000001", "Never happens", 1, 0, "0"),
    ("0a000000-0000-4000-8000-000000000002", "Sometimes", 2, 6, "1.50"),
    ("0a000000-0000-4000-8000-000000000003", "Often <b>really</b>", 3, 12, "3"),
]


@pytest.fixture(scope="module")
def zeros_site():
    """Three MONARC instances push threats, one with zero probability and zero max risk,
    through the real API (as MONARC's daily cron does)."""
    with prefixed_instance() as live:
        live.start()
        # Yesterday: public windows end on the last complete day, today's records never show.
        yesterday = (date.today() - timedelta(days=1)).isoformat()
        for n in range(3):
            _, token = live.create_client(f"FO {n}")
            threats = [
                {"uuid": u, "label1": "", "label2": name, "label3": "", "label4": "",
                 "count": count, "maxRisk": risk, "averageRate": rate}
                for u, name, count, risk, rate in ZERO_THREATS
            ]  # fmt: skip
            status, body = live.server.request(
                "POST",
                f"{PREFIX}/api/v1/stats/",
                [{"anr": str(uuid.uuid4()), "type": "threat", "date": yesterday, "data": threats}],
                token=token,
            )
            assert status == 201, body
        yield live.url + PREFIX


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def chrome(downloads, site, empty_site, zeros_site):
    # Depends on the sites so that Chromium quits before them: its keep-alive connections
    # would otherwise hold gunicorn's graceful shutdown for its whole timeout.
    with browser.chromium(downloads=downloads) as driver:
        yield driver


def js(driver, script: str, *args: Any) -> Any:
    return driver.execute_script(script, *args)


def bars(driver, chart: str) -> int:
    """Bars Plotly actually drew in the SVG (not just the data it was given)."""
    return js(driver, f"return document.querySelectorAll('#{chart} .barlayer .point').length")


def lines(driver, chart: str) -> int:
    return js(driver, f"return document.querySelectorAll('#{chart} .scatterlayer .trace').length")


def trace_data(driver, chart: str) -> list[dict[str, Any]]:
    return js(
        driver,
        "return document.getElementById(arguments[0]).data.map(function (t) {"
        " return {name: t.name, x: t.x, y: t.y, z: t.z}; });",
        chart,
    )


def choose(driver, chart: str, control: str, value: str) -> None:
    """Pick `value` in a selector and wait for the chart to be redrawn."""
    js(driver, "document.getElementById(arguments[0]).dataset.drawn = 'old';", chart)
    select = driver.find_element(
        By.CSS_SELECTOR, f'[data-controls-for="{chart}"] [data-control="{control}"]'
    )
    Select(select).select_by_value(value)
    WebDriverWait(driver, 30).until(
        lambda d: js(
            d,
            "var e = document.getElementById(arguments[0]);"
            "return e.dataset.state !== 'loading' && e.dataset.drawn !== 'old';",
            chart,
        )
    )


def open_page(driver, url: str, charts: list[str]) -> None:
    driver.get(url)
    for chart in charts:
        assert browser.wait_for_state(driver, chart) == "ready", chart


def severe_errors(driver) -> list[str]:
    """Console errors, and any <style> element or style attribute written as HTML: a page that
    has none keeps working under a Content-Security-Policy without 'unsafe-inline'."""
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    styles = js(driver, "return document.querySelectorAll('style').length")
    return errors + ([f"{styles} inline <style> element(s)"] if styles else [])


def test_home_draws_the_top_charts_and_follows_the_selectors(site, chrome):
    charts = ["chart-threats", "chart-vulnerabilities", "chart-risks"]
    open_page(chrome, site + "/", charts)
    assert bars(chrome, "chart-threats") == 10
    assert bars(chrome, "chart-vulnerabilities") == 10
    assert bars(chrome, "chart-risks") == 6  # Low/Medium/High x current/residual
    browser.screenshot(chrome, "home")

    choose(chrome, "chart-threats", "n", "5")
    assert bars(chrome, "chart-threats") == 5
    choose(chrome, "chart-threats", "n", "15")
    assert bars(chrome, "chart-threats") == 15

    highest = trace_data(chrome, "chart-threats")[0]["x"]
    assert highest == sorted(highest, reverse=True)
    choose(chrome, "chart-threats", "order", "asc")
    lowest = trace_data(chrome, "chart-threats")[0]["x"]
    assert lowest == sorted(lowest)
    assert lowest[0] <= highest[-1]

    before = trace_data(chrome, "chart-threats")[0]["y"]
    choose(chrome, "chart-threats", "measure", "maxRisk")
    assert trace_data(chrome, "chart-threats")[0]["y"] != before

    informational = [t["y"] for t in trace_data(chrome, "chart-risks")]
    choose(chrome, "chart-risks", "risks_type", "operational")
    assert [t["y"] for t in trace_data(chrome, "chart-risks")] != informational
    assert [t["name"] for t in trace_data(chrome, "chart-risks")] == ["Current", "Residual"]
    assert severe_errors(chrome) == []


def test_evolution_draws_five_series_more_on_demand_and_follows_the_period(site, chrome):
    open_page(chrome, site + "/evolution/", ["chart-evolution", "chart-risk-evolution"])
    assert lines(chrome, "chart-evolution") == 5
    assert lines(chrome, "chart-risk-evolution") == 3
    choose(chrome, "chart-evolution", "lines", "20")
    assert lines(chrome, "chart-evolution") == 20
    browser.screenshot(chrome, "evolution")
    monthly = max(len(t["x"]) for t in trace_data(chrome, "chart-evolution"))
    choose(chrome, "chart-evolution", "period", "week")
    weekly = max(len(t["x"]) for t in trace_data(chrome, "chart-evolution"))
    # 60 days: 2 or 3 months, 9 or 10 weeks, the current (partial) one left out by default.
    assert monthly <= 3 < 7 <= weekly

    threats = {t["name"] for t in trace_data(chrome, "chart-evolution")}
    choose(chrome, "chart-evolution", "kind", "vulnerability")
    assert lines(chrome, "chart-evolution") == 20
    assert {t["name"] for t in trace_data(chrome, "chart-evolution")} != threats
    assert severe_errors(chrome) == []


def test_compliance_draws_every_category_current_and_target(site, chrome):
    open_page(chrome, site + "/compliance/", ["chart-compliance", "chart-compliance-evolution"])
    assert bars(chrome, "chart-compliance") == 2 * 14  # ISO/IEC 27002:2013 categories
    assert lines(chrome, "chart-compliance-evolution") == 14
    browser.screenshot(chrome, "compliance")
    monthly = len(trace_data(chrome, "chart-compliance-evolution")[0]["x"])
    choose(chrome, "chart-compliance-evolution", "period", "week")
    assert len(trace_data(chrome, "chart-compliance-evolution")[0]["x"]) > monthly
    assert severe_errors(chrome) == []


def riskmap_counts(driver) -> list[int | str]:
    """Each drawn cell's count, or "withheld" for a cell the disclosure rules hold back."""
    return js(
        driver,
        "return document.getElementById('chart-riskmap').data[0].customdata"
        ".map(function (c) { return c[0]; });",
    )


def published_sum(counts: list[int | str]) -> float:
    return sum(c for c in counts if isinstance(c, int | float))


def test_the_risk_map_switches_between_current_and_residual(site, chrome):
    open_page(chrome, site + "/risk-map/", ["chart-riskmap"])
    current = riskmap_counts(chrome)
    assert len(current) >= 9
    cells = "return document.querySelectorAll('#chart-riskmap .shapelayer path').length"
    assert js(chrome, cells) == len(current)
    browser.screenshot(chrome, "risk-map")
    choose(chrome, "chart-riskmap", "risks_state", "residual")
    residual = riskmap_counts(chrome)
    # Treatment lowers risks (withheld cells, which depend on the day's data, count as none).
    assert published_sum(residual) < published_sum(current)
    choose(chrome, "chart-riskmap", "risks_type", "operational")
    assert riskmap_counts(chrome) != residual
    assert severe_errors(chrome) == []


def test_the_map_places_the_contributors_area_without_tiles(site, chrome):
    open_page(chrome, site + "/map/", ["map"])
    # The demo's organisations are all in one area (about 10 km): one marker for them all.
    markers = "return document.querySelectorAll('#map path.contributor').length"
    assert js(chrome, markers) == 1
    assert len(chrome.find_elements(By.CSS_SELECTOR, "#map-table tbody tr")) == 1
    assert js(chrome, "return document.querySelectorAll('#map .leaflet-tile').length") == 0
    browser.screenshot(chrome, "map")
    chrome.find_elements(By.CSS_SELECTOR, "#map path.contributor")[0].click()
    popup = WebDriverWait(chrome, 10).until(
        lambda d: js(
            d,
            "var p = document.querySelector('.leaflet-popup-content'); return p && p.textContent;",
        )
    )
    assert "#1 threat: " in popup
    assert "#1 vulnerability: " in popup
    assert severe_errors(chrome) == []


def test_charts_export_csv_and_png(site, chrome, downloads):
    open_page(chrome, site + "/", ["chart-threats", "chart-vulnerabilities", "chart-risks"])
    choose(chrome, "chart-vulnerabilities", "n", "5")
    chrome.find_element(
        By.CSS_SELECTOR, '[data-export="csv"][data-target="chart-vulnerabilities"]'
    ).click()
    chrome.find_element(
        By.CSS_SELECTOR, '[data-export="png"][data-target="chart-vulnerabilities"]'
    ).click()
    csv_file = downloads / "top-vulnerabilities.csv"
    png_file = downloads / "top-vulnerabilities.png"
    WebDriverWait(chrome, 30).until(lambda d: csv_file.exists() and png_file.exists())
    rows = csv_file.read_text(encoding="utf-8-sig").strip().splitlines()
    # Every measure, not only the one shown (as the original dashboard exported).
    assert rows[0] == "Rank,Object,UUID,Qualification,Occurrence,Max risk"
    assert len(rows) == 1 + 5
    WebDriverWait(chrome, 10).until(lambda d: png_file.stat().st_size > 1000)
    assert png_file.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_pages_and_object_labels_follow_the_language(site):
    with browser.chromium(language="fr") as driver:
        open_page(driver, site + "/", ["chart-threats"])
        assert driver.find_element(By.TAG_NAME, "h1").text == "Paysage actuel de la cybersécurité"
        labels = js(driver, "return document.getElementById('chart-threats').layout.yaxis.ticktext")
        # Real French names (label1) in the demo data, wrapped on narrow axes.
        assert labels
        assert {label.replace("<br>", " ") for label in labels} <= set(FRENCH.values())
        browser.screenshot(driver, "home-fr")
    # German: pages in English (no German catalogue), object labels in German.
    with browser.chromium(language="de") as driver:
        open_page(driver, site + "/", ["chart-threats"])
        assert driver.find_element(By.TAG_NAME, "h1").text == "Current cybersecurity landscape"
        labels = js(driver, "return document.getElementById('chart-threats').layout.yaxis.ticktext")
        assert labels and all(label.endswith("(DE)") for label in labels)


def test_every_chart_says_no_data_yet_on_an_empty_instance(empty_site, chrome):
    pages = {
        "/": ["chart-threats", "chart-vulnerabilities", "chart-risks"],
        "/evolution/": ["chart-evolution", "chart-risk-evolution"],
        "/compliance/": ["chart-compliance", "chart-compliance-evolution"],
        "/risk-map/": ["chart-riskmap"],
        "/map/": ["map"],
    }
    for path, charts in pages.items():
        chrome.get(empty_site + path)
        for chart in charts:
            assert browser.wait_for_state(chrome, chart) == "empty", (path, chart)
            message = chrome.find_element(By.CSS_SELECTOR, f'[data-empty-for="{chart}"]')
            assert message.is_displayed()
            assert "No data yet." in message.text
    browser.screenshot(chrome, "empty-home")
    assert severe_errors(chrome) == []


def test_the_served_plotly_css_is_what_the_installed_plotly_js_injects(site, chrome):
    """dashboard/css/plotly.css stands in for the rules plotly.js would inject; load plotly.js on
    a page without the stand-in and compare, so an upgrade of plotly cannot silently diverge.
    The pages' Content-Security-Policy forbids that injection, so it is bypassed for this check."""
    chrome.execute_cdp_cmd("Page.setBypassCSP", {"enabled": True})
    chrome.get(site + "/about/")
    js(
        chrome,
        "var s = document.createElement('script'); s.src = arguments[0];"
        "document.head.appendChild(s);",
        site + "/static/vendor/plotly/plotly.min.js",
    )
    WebDriverWait(chrome, 30).until(lambda d: js(d, "return !!window.Plotly"))
    injected = js(
        chrome,
        "var s = document.getElementById('plotly.js-style-global');"
        "return Array.prototype.map.call(s.sheet.cssRules, function (r) { return r.cssText; });",
    )
    chrome.execute_cdp_cmd("Page.setBypassCSP", {"enabled": False})
    chrome.get(site + "/risk-map/")
    served = js(
        chrome,
        "var s = document.getElementById('plotly.js-style-global');"
        "return Array.prototype.map.call(s.sheet.cssRules, function (r) { return r.cssText; });",
    )
    assert sorted(served) == sorted(injected)


def test_zero_values_are_drawn_and_ranked(zeros_site, chrome):
    open_page(chrome, zeros_site + "/", ["chart-threats"])
    assert bars(chrome, "chart-threats") == 3
    choose(chrome, "chart-threats", "order", "asc")
    trace = trace_data(chrome, "chart-threats")[0]
    assert trace["x"] == [0, 1.5, 3]
    choose(chrome, "chart-threats", "measure", "maxRisk")
    assert trace_data(chrome, "chart-threats")[0]["x"] == [0, 6, 12]
    # Labels are user data: markup in them is shown as text, never interpreted.
    ticks = js(
        chrome,
        "return Array.prototype.map.call("
        "document.querySelectorAll('#chart-threats .ytick text'), function (t) {"
        " return t.textContent; });",
    )
    assert ticks == ["Never happens", "Sometimes", "Often <b>really</b>"]
    # Nothing else was sent: the other charts say so instead of spinning.
    assert browser.wait_for_state(chrome, "chart-risks") == "empty"
    browser.screenshot(chrome, "zeros")
    assert severe_errors(chrome) == []


def test_a_missing_translation_falls_back_to_any_label(zeros_site):
    """The zeros dataset has English labels only: French visitors still see names."""
    with browser.chromium(language="fr") as driver:
        open_page(driver, zeros_site + "/", ["chart-threats"])
        labels = js(driver, "return document.getElementById('chart-threats').layout.yaxis.ticktext")
        assert sorted(labels) == ["Never happens", "Often &lt;b&gt;really&lt;/b&gt;", "Sometimes"]
