"""pytest plugin loaded before Django settings (`-p statsservice.testing` in pyproject.toml).

Settings refuse to start without SECRET_KEY outside DEBUG; tests get a random one per run, so no
key is ever written in the repository, and they ignore the local configuration file (.env).
"""

import os
import secrets

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
# The suite configures itself: a developer's .env (DEBUG=1, their database) must not leak in.
os.environ.setdefault("ENV_FILE", "")
# The auth-failure throttle counts refused keys per address: with it on, a test sending many
# deliberate bad keys from 127.0.0.1 would start answering 429. Its own tests turn it on.
os.environ.setdefault("AUTH_FAILURE_RATE", "")
