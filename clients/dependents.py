"""What other apps keep per client, and must remove themselves before a client is deleted.

`clients` knows nothing of the apps built on it (it imports none of them), yet deleting a client
must first remove their data their own way: the stats app, for one, keeps all-client totals
that Django's cascade from the client's row never reaches. So the inversion is explicit: such
an app registers a `Dependent` in its AppConfig.ready(), and every client deletion
(`Client.delete()`, a queryset's `delete()`, hence `services.delete_client`, the admin and
`client_delete`) runs the registered removals first, in registration order, inside the same
transaction. The counts serve the prompt and summary of `client_delete`.

Not a signal: the registry is read at two named call sites only, and each dependent says in its
own AppConfig what it does, so the order and the work stay visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from clients.models import Client


class PerClient(Protocol):
    def __call__(self, *, client: Client) -> int: ...


@dataclass(frozen=True)
class Dependent:
    """Records an app keeps per client: how many a client has, and how to remove them all
    (returning how many went)."""

    count: PerClient
    remove: PerClient


_registry: dict[str, Dependent] = {}


def register(*, name: str, count: PerClient, remove: PerClient) -> None:
    """Register (or replace) the dependent records of the app `name`."""
    _registry[name] = Dependent(count=count, remove=remove)


def count_records(*, client: Client) -> int:
    """How many records of every dependent go with `client`."""
    return sum(dependent.count(client=client) for dependent in _registry.values())


def remove_records(*, client: Client) -> int:
    """Remove every dependent's records of `client` (call inside the deleting transaction)."""
    return sum(dependent.remove(client=client) for dependent in _registry.values())
