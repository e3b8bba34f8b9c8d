"""pytest plugin loaded before Django settings (`-p statsservice.testing` in pyproject.toml).

Settings refuse to start without SECRET_KEY outside DEBUG; tests get a random one per run, so no
key is ever written in the repository.
"""

import os
import secrets

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
