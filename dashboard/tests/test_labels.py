"""The order in which object labels are tried (label1..4 = fr, en, de, nl)."""

from __future__ import annotations

from django.test import RequestFactory
from django.utils import translation

from dashboard.labels import label_order


def test_the_order_follows_the_page_language_first():
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    with translation.override("fr"):
        assert label_order(request) == ["label1", "label2", "label3", "label4"]


def test_german_and_dutch_visitors_get_their_labels_on_english_pages():
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9,de;q=0.5")
    with translation.override("en"):
        assert label_order(request) == ["label4", "label2", "label3", "label1"]


def test_an_explicit_page_language_choice_wins():
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="de")
    request.COOKIES["django_language"] = "fr"
    with translation.override("fr"):
        assert label_order(request)[0] == "label1"
