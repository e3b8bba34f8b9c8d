"""Object labels in the visitor's language: label1..4 are French, English, German, Dutch.

The server only decides the order of preference (passed to the page as data-label-order); the
browser picks the first non-empty label in that order, then any non-empty one (common.js).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

LABEL_KEYS = {"fr": "label1", "en": "label2", "de": "label3", "nl": "label4"}


def _accept_language(header: str) -> list[str]:
    """Primary language subtags from an Accept-Language header, best first."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        lang, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if lang and quality > 0:
            ranked.append((-quality, index, lang.split("-")[0].lower()))
    return [lang for _, _, lang in sorted(ranked)]


def label_order(request: HttpRequest) -> list[str]:
    """label keys to try, best first: the page's language, then the browser's, then the rest.

    The page itself is in English or French; German and Dutch visitors still get object labels
    in their language when MONARC has them.
    """
    browser = _accept_language(request.headers.get("Accept-Language", ""))
    wanted = [get_language() or "en", *browser]
    # A visitor who picked a page language explicitly is served that first; a browser asking
    # for German or Dutch first gets those labels before the page language's.
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if browser and browser[0] in ("de", "nl") and not chosen:
        wanted.insert(0, browser[0])
    order: list[str] = []
    for lang in [*wanted, "en", "fr", "de", "nl"]:
        key = LABEL_KEYS.get(lang)
        if key and key not in order:
            order.append(key)
    return order
