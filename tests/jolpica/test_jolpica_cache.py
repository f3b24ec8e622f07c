"""The on-disk cache: re-runs spend no requests; current-season pages expire after the TTL."""

from __future__ import annotations

import pytest
from jolpica_fake import Reply

from transforms.exceptions import JolpicaResponseError
from transforms.jolpica import JolpicaSource

SEASON_TABLES = ("races", "results", "sprint_results", "qualifying", "pit_stops", "lap_times", "driver_standings",
                 "constructor_standings", "constructor_results")


def test_a_second_run_makes_zero_http_requests(api, make_client, seed_ids, tmp_path):
    def run() -> dict:
        source = JolpicaSource(make_client(cache_dir=tmp_path), seed_ids())
        return {name: source.table(name, 2024) for name in SEASON_TABLES}

    first = run()
    fetched = len(api.requests)
    second = run()

    assert fetched > 0
    assert len(api.requests) == fetched  # counted on the server: nothing new arrived
    assert all(second[name].equals(first[name]) for name in SEASON_TABLES)
    assert not list(tmp_path.glob(".tmp-*"))  # atomic writes leave no temp files behind


def test_current_season_pages_expire_after_the_ttl(api, make_client, clock, tmp_path):
    client = make_client(cache_dir=tmp_path, current_season=2024, current_ttl_s=600)

    client.get_all("2024/races")
    clock.now += 599
    client.get_all("2024/races")
    assert api.offsets("2024/races") == [0]

    clock.now += 2
    client.get_all("2024/races")
    assert api.offsets("2024/races") == [0, 0]


def test_a_page_cached_while_its_season_ran_still_expires_after_the_season(api, make_client, clock, tmp_path):
    make_client(cache_dir=tmp_path, current_season=2024, current_ttl_s=600).get_all("2024/races")
    clock.now += 601

    # By now 2024 is over, but the cached page predates that: it is refreshed once, then kept for good.
    later = make_client(cache_dir=tmp_path, current_season=2025, current_ttl_s=600)
    later.get_all("2024/races")
    clock.now += 10 * 365 * 86400
    later.get_all("2024/races")

    assert api.offsets("2024/races") == [0, 0]


def test_season_less_reference_lists_are_not_kept_forever(api, make_client, clock, tmp_path):
    client = make_client(cache_dir=tmp_path, current_ttl_s=600)

    client.get_all("seasons")
    clock.now += 601
    client.get_all("seasons")

    assert api.offsets("seasons") == [0, 0]


def test_a_bad_page_is_not_cached(api, make_client, tmp_path):
    api.script("seasons", Reply(200, b'{"MRData": '))
    client = make_client(cache_dir=tmp_path)

    with pytest.raises(JolpicaResponseError):
        client.get_all("seasons")
    client.get_all("seasons")
    client.get_all("seasons")

    assert api.offsets("seasons") == [0, 0]


def test_the_cache_key_includes_the_paging_parameters(api, make_client, tmp_path):
    make_client(cache_dir=tmp_path).get_all("2024/1/laps")

    assert len(list(tmp_path.glob("*.json"))) == 3  # one entry per page


def test_an_unreadable_cache_entry_is_refetched(api, make_client, tmp_path):
    make_client(cache_dir=tmp_path).get_all("seasons")
    (entry,) = tmp_path.glob("*.json")
    entry.write_text("{not json")

    assert [s["season"] for s in make_client(cache_dir=tmp_path).get_all("seasons")] == ["2023", "2024"]
    assert api.offsets("seasons") == [0, 0]
