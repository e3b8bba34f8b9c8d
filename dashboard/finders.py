"""Serve JavaScript that ships inside pip packages (not Django apps) as static files.

plotly.min.js lives in the `plotly` package's data folder and Leaflet in `xstatic-leaflet` (a
static-files-only package: django-leaflet would need GDAL just to load). WhiteNoise
(WHITENOISE_USE_FINDERS) and `collectstatic` both read finders, so they are served with no CDN,
npm or copy step.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, overload

from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage
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


class PrefixedStorage(FileSystemStorage):
    """A package's data folder served under `prefix` (read by collectstatic and WhiteNoise)."""

    def __init__(self, location: Path, prefix: str) -> None:
        super().__init__(location=str(location))
        self.prefix = prefix


class PackageDataFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.storages: dict[str, tuple[PrefixedStorage, tuple[str, ...]]] = {}
        for prefix, (package, folder, names) in PACKAGE_FILES.items():
            location = _package_dir(package, folder)
            if location is None or not location.is_dir():
                continue
            self.storages[prefix] = (PrefixedStorage(location, prefix), names)

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        return []

    @overload
    def find(self, path: str, find_all: Literal[False] = False) -> str | None: ...
    @overload
    def find(self, path: str, find_all: Literal[True]) -> list[str]: ...
    # Like Django's own finders, a miss answers [] either way (callers test truthiness).
    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str] | None:
        matches: list[str] = []
        for prefix, (storage, names) in self.storages.items():
            name = path.removeprefix(prefix + "/")
            if name != path and name in names:
                found = storage.path(name)
                if not find_all:
                    return found
                matches.append(found)
        return matches if find_all else []

    def list(
        self, ignore_patterns: Iterable[str] | None
    ) -> Iterator[tuple[str, FileSystemStorage]]:
        for storage, names in self.storages.values():
            for name in names:
                if storage.exists(name):
                    yield name, storage
