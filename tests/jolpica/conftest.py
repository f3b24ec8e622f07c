"""Fixtures for the Jolpica tests: the fake server, fake time, clients on both, and seeded ids."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
import pytest
from jolpica_fake import FakeClock, FakeJolpica

from transforms.jolpica import IdMap, JolpicaClient, JolpicaSource
from transforms.schemas import TABLES, conform


@pytest.fixture
def api() -> Iterator[FakeJolpica]:
    with FakeJolpica() as fake:
        yield fake


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(api: FakeJolpica, clock: FakeClock) -> Iterator[Callable[..., JolpicaClient]]:
    """A client on the fake server and fake time; keyword arguments override the test defaults."""
    clients: list[JolpicaClient] = []

    def make(**options: Any) -> JolpicaClient:
        settings: dict[str, Any] = {"clock": clock, "sleep": clock.sleep, "max_attempts": 3, "jitter": lambda: 1.0,
                                    "timeout_s": 5}
        client = JolpicaClient(api.base_url, **(settings | options))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def _reference(name: str, columns: dict[str, list[Any]]) -> pa.Table:
    return conform(pa.table(columns), TABLES[name], origin=f"test seed {name}")


@pytest.fixture
def seed_ids() -> Callable[[], IdMap]:
    """A fresh IdMap seeded like the lake would: small Ergast reference tables (bearman, haas, round 2 are new)."""

    def make() -> IdMap:
        return IdMap.from_tables(
            drivers=_reference("drivers", {"driverId": [1, 830, 844],
                                           "driverRef": ["hamilton", "max_verstappen", "leclerc"]}),
            constructors=_reference("constructors", {"constructorId": [6, 9], "constructorRef": ["ferrari", "red_bull"]}),
            circuits=_reference("circuits", {"circuitId": [3, 17], "circuitRef": ["bahrain", "shanghai"]}),
            races=_reference("races", {"raceId": [1121], "year": [2024], "round": [1]}),
            status=_reference("status", {"statusId": [1, 11], "status": ["Finished", "+1 Lap"]}),
        )

    return make


@pytest.fixture
def source(make_client: Callable[..., JolpicaClient], seed_ids: Callable[[], IdMap]) -> JolpicaSource:
    return JolpicaSource(make_client(), seed_ids())
