"""WSGI entry point: `gunicorn statsservice.wsgi:application`."""

import os

import django
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statsservice.settings")

# get_wsgi_application() sets no script prefix at start-up, but WhiteNoise reads (and Django
# caches) STATIC_URL while loading the middleware: set FORCE_SCRIPT_NAME's prefix first, so static
# URLs carry it too when the service is mounted under a path.
django.setup(set_prefix=True)
application = get_wsgi_application()
