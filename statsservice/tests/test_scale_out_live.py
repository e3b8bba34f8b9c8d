"""Scale-out: two stateless app nodes on one PostgreSQL primary, with a streaming replica serving
the public JSON, as the README's Production section describes.

The test makes its own primary and replica (initdb, pg_basebackup -R) on free ports of 127.0.0.1,
so it proves the real thing: the replica is a hot standby that refuses writes, and what the nodes
read from it is what PostgreSQL replayed there. A third gunicorn without replicas answers "as the
primary", and a fourth instance is the remote that both nodes push to.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from sharing.tests.fakeremote import Proxy
from stats import kinds
from statsservice.testing import pgcluster
from statsservice.testing.live import Gunicorn, Instance
from statsservice.testing.seed import sized_batch

pytestmark = pytest.mark.live

TODAY = timezone.localdate()
# Up to yesterday: public windows end on the last complete day, so records of today never show.
DAYS = [(TODAY - timedelta(days=n)).isoformat() for n in (3, 2, 1)]
PUBLIC_PATHS = [
    *(f"/stats/{kind.public_endpoint}.json" for kind in kinds.all_kinds() if kind.public_endpoint),
    "/map/clients.json",
]


def _skip_reason() -> str | None:
    # It brings its own clusters; it runs once, with the PostgreSQL pass of the suite.
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return "the scale-out test runs with the PostgreSQL suite (DATABASE_URL=postgres://...)"
    return pgcluster.missing_reason()


@dataclass
class Deployment:
    pair: pgcluster.ReplicatedPair
    node_a: Instance  # its database, migrations and commands; gunicorn with the replica
    node_b: Gunicorn  # a second node: same primary, same replica, its own VAR_DIR
    primary_only: Gunicorn  # the same database without replicas: "what the primary says"
    target: Instance  # the global instance both nodes push to, behind `proxy`
    proxy: Proxy
    env_b: dict[str, str]

    @property
    def nodes(self) -> list[Gunicorn]:
        return [self.node_a.server, self.node_b]

    def public(self, server: Gunicorn, path: str) -> Any:
        status, body = server.request("GET", path)
        assert status == 200, (path, body)
        return body

    def public_answers(self, server: Gunicorn) -> dict[str, Any]:
        return {path: self.public(server, path) for path in PUBLIC_PATHS}


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("scale-out")
    with pgcluster.ReplicatedPair() as pair, Proxy("http://127.0.0.1:1") as proxy:
        base = pair.primary.url("app")
        node_a = Instance("node", workdir=tmp / "a", base_url=base, workers=1)
        target = Instance("global", workdir=tmp / "global", base_url=base, workers=1)
        servers: list[Gunicorn] = []
        try:
            yield _deploy(pair, proxy, node_a, target, servers, tmp)
        finally:
            for server in servers:
                server.close()
            node_a.drop()
            target.drop()


def _deploy(
    pair: pgcluster.ReplicatedPair,
    proxy: Proxy,
    node_a: Instance,
    target: Instance,
    servers: list[Gunicorn],
    tmp: Path,
) -> Deployment:
    for instance in (node_a, target):
        instance.create(migrate=False)
    node_a.env["DATABASE_REPLICA_URLS"] = pair.replica.url(node_a.database.name)
    node_a.env["PUBLIC_MIN_CONTRIBUTORS"] = "1"
    # One organisation here: the disclosure rules (dashboard.disclosure) would withhold it all.
    node_a.env["PUBLIC_MAX_DOMINANCE"] = "1"
    # Migrations run with the replica configured: they must not even try it (a hot standby).
    migrations = [i.manage_async("migrate", "--noinput") for i in (node_a, target)]
    for process in migrations:
        _, err = process.communicate(timeout=240)
        assert process.returncode == 0, err
    _, instance_token = target.create_client("scaled-instance", "--remote")
    target.start()
    proxy.upstream = target.url
    node_a.env["REMOTE_STATS_SERVER"] = proxy.url
    node_a.env["REMOTE_STATS_TOKEN"] = instance_token
    node_a.env["SHARING_HTTP_RETRIES"] = "0"
    node_a.env["SHARING_PUSH_OVERLAP"] = "0"  # a second push sends nothing already sent
    node_a.start()
    env_b = {**node_a.env, "VAR_DIR": str(tmp / "b")}
    node_b = Gunicorn(env_b, workers=1, log=tmp / "b" / "gunicorn.log")
    primary_env = {k: v for k, v in node_a.env.items() if k != "DATABASE_REPLICA_URLS"}
    primary_only = Gunicorn(primary_env, workers=1, log=tmp / "primary-only.log")
    for server in (node_b, primary_only):
        servers.append(server)
        server.start()
    return Deployment(pair, node_a, node_b, primary_only, target, proxy, env_b)


@pytest.fixture(scope="module")
def clients(deployment: Deployment) -> list[tuple[str, str]]:
    """Two sharing clients on the map, each posting three days through its own node."""
    made = []
    for number, node in enumerate(deployment.nodes):
        client_uuid, token = deployment.node_a.create_client(f"fo-{number}")
        deployment.node_a.manage(
            "client_coordinates_set",
            "--uuid",
            client_uuid,
            "--latitude",
            "49.6",
            "--longitude",
            str(6.1 + number),
        )
        anrs = [str(uuid.uuid4()) for _ in range(2)]
        batch = [r for day in DAYS for r in sized_batch(day, anrs, seed=number)]
        status, reply = node.request("POST", "/api/v1/stats/", batch, token=token)
        assert status == 201, reply
        made.append((client_uuid, token))
    return made


def api_records(server: Gunicorn, token: str) -> list[dict[str, Any]]:
    query = {"type": "threat", "date_from": DAYS[0], "date_to": DAYS[-1]}
    status, reply = server.request("GET", "/api/v1/stats/", query, token=token)
    assert status == 200, reply
    return reply["data"]


def test_the_public_json_through_the_replica_matches_the_primary(deployment, clients):
    deployment.pair.wait_replayed()
    expected = deployment.public_answers(deployment.primary_only)
    assert all(expected.values()), "every public answer has figures"
    for node in deployment.nodes:
        assert deployment.public_answers(node) == expected


def test_public_reads_come_from_the_replica_and_the_api_reads_its_own_writes(deployment, clients):
    pair, path = deployment.pair, "/stats/threats.json"
    pair.wait_replayed()
    before = deployment.public(deployment.node_a.server, path)
    _, token = clients[0]
    pair.pause_replay()
    try:
        new_anr = str(uuid.uuid4())
        fresh = sized_batch(DAYS[-1], [new_anr], seed=7)
        status, reply = deployment.node_b.request("POST", "/api/v1/stats/", fresh, token=token)
        assert status == 201, reply
        # The API of either node sees the new analysis at once: it reads the primary...
        for node in deployment.nodes:
            assert new_anr in {r["anr"] for r in api_records(node, token)}
        # ...while the public JSON of both nodes is the replica's, which has not replayed it.
        primary_lsn, replayed_lsn = pair.lag()
        assert primary_lsn != replayed_lsn
        now = deployment.public(deployment.primary_only, path)
        assert now != before
        for node in deployment.nodes:
            assert deployment.public(node, path) == before
    finally:
        pair.resume_replay()
    pair.wait_replayed()
    for node in deployment.nodes:
        assert deployment.public(node, path) == now


def test_the_replica_refuses_writes_so_none_were_sent_there(deployment, clients):
    # Had any write been routed to the replica, the nodes' calls above would have failed.
    assert deployment.pair.replica.scalar("SELECT pg_is_in_recovery()") is True
    with pytest.raises(Exception, match="read-only transaction"):
        deployment.pair.replica.scalar("CREATE TABLE intruder (x int)")


def test_stats_push_on_both_nodes_at_once_sends_once_and_the_other_finds_the_lock_held(
    deployment, clients
):
    proxy = deployment.proxy
    proxy.gate = threading.Event()
    runs = [
        deployment.node_a.manage_async("stats_push"),
        deployment.node_a.manage_async("stats_push", VAR_DIR=deployment.env_b["VAR_DIR"]),
    ]
    try:
        # Whichever run holds the lock waits at the remote; the other must give up meanwhile.
        loser = _first_to_exit(runs, timeout=120)
        _, err = loser.communicate(timeout=30)
        assert loser.returncode == 1, err
        assert "Not started: another run holds the lock 'push:" in err
        assert proxy.waiting.wait(timeout=60)
    finally:
        proxy.gate.set()
    (winner,) = [run for run in runs if run is not loser]
    out, err = winner.communicate(timeout=120)
    assert winner.returncode == 0, err
    pushed = int(out.split("Pushed ", 1)[1].split()[0])
    assert pushed > 0
    proxy.gate = None
    # One run sent everything: a new run finds nothing left to send.
    again = deployment.node_a.manage("stats_push").stdout
    assert "Pushed 0 records" in again


def _first_to_exit(runs: list[Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for run in runs:
            if run.poll() is not None:
                return run
        time.sleep(0.05)
    raise TimeoutError("neither stats_push run finished")
