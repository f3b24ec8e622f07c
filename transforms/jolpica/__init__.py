"""Jolpica (Ergast-compatible) F1 API → the lake's historical Ergast tables. Plain Python, no dagster.

``JolpicaClient`` does HTTP: paging (100 rows a page until ``total``), the published rate limits (4 requests/s,
500/hour) enforced client-side, retries with capped exponential back-off honouring ``Retry-After``, and an on-disk
cache (pages of finished seasons forever, everything else for a TTL). ``JolpicaSource`` validates the pages and
normalises them into ``transforms.schemas.TABLES`` schemas, mapping the API's refs to Ergast numeric ids through an
``IdMap`` (see ``transforms.jolpica.ids`` for how new ids and row ids are made).

A live history starts from Jolpica's CSV database dump when one is configured: ``dump.fetch_dump`` downloads it
(checked, resumable), ``dump_tables.DumpClient`` serves its tables as the API's items (a ``JolpicaSource`` reads
them like pages), and ``history.JolpicaHistory`` takes each season from the dump or the API.

Usage::

    ids = IdMap.from_tables(drivers=drivers, constructors=constructors, circuits=circuits, races=races,
                            status=status)
    source = JolpicaSource(JolpicaClient(cache_dir=Path(".undercut/cache/jolpica")), ids)
    results_2024 = source.table("results", 2024)

Not available from the API: ``safety_cars``, ``virtual_safety_cars`` and ``red_flags`` (archive only; asking for
them raises ValueError). ``constructor_results`` is derived from race + sprint results (status left null);
``circuits.alt`` is null (the API has no altitude); ``lap_times`` start in 1996 and ``pit_stops`` in 2011.
"""

from transforms.jolpica.client import DEFAULT_BASE_URL, JolpicaClient
from transforms.jolpica.ids import IdMap, row_id
from transforms.jolpica.ratelimit import JOLPICA_LIMITS, Limit, RateLimiter
from transforms.jolpica.source import NOT_IN_API, TABLE_NAMES, JolpicaSource

__all__ = [
    "DEFAULT_BASE_URL",
    "JOLPICA_LIMITS",
    "NOT_IN_API",
    "TABLE_NAMES",
    "IdMap",
    "JolpicaClient",
    "JolpicaSource",
    "Limit",
    "RateLimiter",
    "row_id",
]
