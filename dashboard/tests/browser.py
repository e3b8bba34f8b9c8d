"""Headless Debian Chromium driven by Selenium, for the browser tests.

Uses the system's /usr/bin/chromium and /usr/bin/chromedriver (apt packages `chromium` and
`chromium-driver`, installed by .ci/run), so Selenium Manager never downloads anything.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

from statsservice.testing.live import Instance

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "output" / "screenshots"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1000",
]


PREFIX = "/dashboard"
CLIENTS = 4


def prefixed_instance() -> Instance:
    # A reverse proxy mounting the service under /dashboard: gunicorn strips SCRIPT_NAME from
    # the path, Django builds every URL (pages, static files, JSON) with FORCE_SCRIPT_NAME.
    return Instance(
        "browser",
        FORCE_SCRIPT_NAME=PREFIX,
        SCRIPT_NAME=PREFIX,
        PUBLIC_MIN_CONTRIBUTORS="3",
        ADMIN_EMAIL="security@example.org",
    )


def available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


@contextmanager
def chromium(*, language: str = "en", downloads: Path | None = None) -> Iterator[webdriver.Chrome]:
    profile = tempfile.mkdtemp(prefix="dashboard-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={profile}", f"--lang={language}"]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(60)
        if downloads is not None:
            driver.execute_cdp_cmd(
                "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
            )
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for_state(driver: webdriver.Chrome, element_id: str, timeout: float = 30) -> str:
    """Wait until the chart `element_id` leaves its loading state; returns the state."""

    def settled(d: webdriver.Chrome) -> str | bool:
        state = d.execute_script(
            "var e = document.getElementById(arguments[0]); return e && e.dataset.state;",
            element_id,
        )
        return state if state and state != "loading" else False

    return WebDriverWait(driver, timeout).until(settled)


def screenshot(driver: webdriver.Chrome, name: str, width: int = 1280) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(height, 800), 4000))
    driver.save_screenshot(str(path))
    return path
