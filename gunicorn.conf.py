"""gunicorn settings, read from the environment (gunicorn loads this file from the working
directory by default, so `python -m gunicorn` needs no arguments).

GUNICORN_BIND      address to listen on (default 127.0.0.1:8000, behind the reverse proxy)
GUNICORN_WORKERS   worker processes (default 2)
GUNICORN_THREADS   threads per worker (default 8): each request holds one thread, so a client
                   that trickles its headers or body holds one thread, not a whole worker
GUNICORN_TIMEOUT   seconds a request may take before its worker is restarted (default 120: a
                   large MONARC batch must be stored well within MONARC's 30 s, reads stream)
GUNICORN_FORWARDED_ALLOW_IPS  proxies trusted for X-Forwarded-Proto (default 127.0.0.1)
GUNICORN_LOG_LEVEL gunicorn's own log level (default info; LOG_LEVEL is the service's)
"""

import gc
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "statsservice.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = _int("GUNICORN_WORKERS", 2)
# Threaded workers: a slow client (headers or body sent a byte at a time) ties up one thread;
# with sync workers two such clients stopped the service. Idle connections wait in the worker's
# poller, not in a thread; gunicorn hands a new connection to a thread only once it sends data.
# The reverse proxy's header and body timeouts (README) bound how long a trickle may last.
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 8)
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# The service logs one line per request itself (statsservice.request); errors go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info").lower()


def post_worker_init(worker: object) -> None:
    """Once the worker has loaded Django: move everything loaded so far out of the garbage
    collector's view, and collect the youngest generation less often.

    A MONARC batch parses into ~150,000 objects; with the defaults, the collector rescanned the
    whole loaded application about once per batch (about 12 ms of a ~110 ms POST). Frozen
    objects are never freed, which is what startup objects are anyway.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
