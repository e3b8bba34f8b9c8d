"""Serve JavaScript that ships inside pip packages (not Django apps) as static files.

plotly.min.js lives in the `plotly` package's data folder and Leaflet in `xstatic-leaflet` (a
static-files-only package: django-leaflet would need GDAL just to load). WhiteNoise
(WHITENOISE_USE_FINDERS) and `collectstatic` both read finders, so they are served with no CDN,
npm or copy step.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# static path prefix -> (package, folder inside it, files served from it)
PACKAGE_FILES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "vendor/plotly": ("plotly", "package_data", ("plotly.min.js",)),
    "vendor/leaflet": (
        "xstatic.pkg.leaflet",
        "data",
        ("leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png"),
    ),
}


def _package_dir(package: str, folder: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(package)
    except ModuleNotFoundError:
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / folder


class PackageDataFinder(BaseFinder):
    def __init__(self, *args, **kwargs) -> None:
        self.storages: dict[str, tuple[FileSystemStorage, tuple[str, ...]]] = {}
        for prefix, (package, folder, names) in PACKAGE_FILES.items():
            location = _package_dir(package, folder)
            if location is None or not location.is_dir():
                continue
            storage = FileSystemStorage(location=str(location))
            storage.prefix = prefix  # read by collectstatic and WhiteNoise
            self.storages[prefix] = (storage, names)

    def check(self, **kwargs) -> list:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs) -> str | list[str]:
        matches: list[str] = []
        for prefix, (storage, names) in self.storages.items():
            name = path.removeprefix(prefix + "/")
            if name != path and name in names:
                found = storage.path(name)
                if not find_all:
                    return found
                matches.append(found)
        return matches if find_all else []

    def list(self, ignore_patterns) -> Iterator[tuple[str, FileSystemStorage]]:
        for storage, names in self.storages.values():
            for name in names:
                if storage.exists(name):
                    yield name, storage
