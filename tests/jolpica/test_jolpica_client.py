"""JolpicaClient against a real local HTTP server: paging, retries, error reporting."""

from __future__ import annotations

import email.utils

import pytest
from jolpica_fake import FIXTURES, Reply
from undercut_cli import free_port

from transforms.exceptions import JolpicaError, JolpicaResponseError
from transforms.jolpica import JolpicaClient


def test_paging_fetches_every_page_with_the_offsets_the_server_limit_implies(api, make_client):
    laps = make_client().get_all("2024/1/laps")

    # The server caps pages at 4 timings although we ask for 100: offsets follow its limit until total (9).
    assert api.offsets("2024/1/laps") == [0, 4, 8]
    assert {r.limit for r in api.requests} == {100}
    # Laps split across page boundaries are joined back into one race with three whole laps.
    assert len(laps) == 1
    assert [lap["number"] for lap in laps[0]["Laps"]] == ["1", "2", "3"]
    assert [len(lap["Timings"]) for lap in laps[0]["Laps"]] == [3, 3, 3]


def test_a_race_split_across_pages_is_merged(make_client):
    races = make_client().get_all("2024/results")

    assert [(r["round"], len(r["Results"])) for r in races] == [("1", 3), ("2", 3)]


def test_429_waits_for_retry_after_seconds_then_repeats_the_request(api, make_client, clock):
    api.script("seasons", Reply(429, b'{"detail": "Request was throttled."}', {"Retry-After": "2"}))

    seasons = make_client().get_all("seasons")

    assert [s["season"] for s in seasons] == ["2023", "2024"]
    assert api.offsets("seasons") == [0, 0]
    assert max(clock.sleeps) >= 2


def test_retry_after_as_an_http_date_is_honoured(api, make_client, clock):
    when = email.utils.formatdate(clock.now + 30, usegmt=True)
    api.script("seasons", Reply(429, headers={"Retry-After": when}))

    make_client().get_all("seasons")

    assert 29 <= max(clock.sleeps) <= 31


def test_a_500_is_retried_with_backoff(api, make_client, clock):
    api.script("seasons", Reply(500), Reply(503))

    make_client(backoff_s=1.0).get_all("seasons")

    assert api.offsets("seasons") == [0, 0, 0]
    assert clock.sleeps == [1.0, 2.0]  # exponential steps (jitter pinned to the full step)


def test_backoff_is_capped(api, make_client, clock):
    api.script("seasons", *[Reply(502)] * 5)

    make_client(max_attempts=6, backoff_s=1.0, backoff_cap_s=4.0).get_all("seasons")

    assert clock.sleeps == [1.0, 2.0, 4.0, 4.0, 4.0]


def test_persistent_500_fails_after_max_attempts_naming_url_and_status(api, make_client):
    api.script("seasons", *[Reply(500)] * 3)
    client = make_client(max_attempts=3)

    with pytest.raises(JolpicaError, match=r"seasons\.json\?limit=100&offset=0 failed after 3 attempts.*HTTP 500") as err:
        client.get_all("seasons")

    assert err.value.status == 500
    assert err.value.url == f"{api.base_url}/seasons.json?limit=100&offset=0"
    assert len(api.requests) == 3


def test_a_404_is_not_retried(api, make_client):
    with pytest.raises(JolpicaError, match=r"1999/99/laps\.json.*HTTP 404"):
        make_client().get_all("1999/99/laps")

    assert len(api.requests) == 1


def test_connection_errors_are_retried_then_reported(make_client, clock):
    dead = f"http://127.0.0.1:{free_port()}/ergast/f1"
    client = JolpicaClient(dead, clock=clock, sleep=clock.sleep, max_attempts=2, jitter=lambda: 1.0, timeout_s=2)

    with pytest.raises(JolpicaError, match=r"seasons\.json.*failed after 2 attempts; last: ConnectionError"):
        client.get_all("seasons")

    assert len(clock.sleeps) == 1


def test_a_read_timeout_is_retried(api, make_client):
    api.script("seasons", Reply(body=b"{}", delay_s=0.5))

    seasons = make_client(timeout_s=0.1).get_all("seasons")

    assert len(seasons) == 2
    assert api.offsets("seasons") == [0, 0]


def test_truncated_json_raises_response_error_naming_the_url(api, make_client):
    api.script("2024/results", Reply(200, b'{"MRData": {"limit": "30", "offset": "0", "RaceTable": {"Rac'))

    with pytest.raises(JolpicaResponseError, match=r"2024/results\.json\?limit=100&offset=0: .*not valid JSON"):
        make_client().get_all("2024/results")


def test_a_page_at_the_wrong_offset_is_rejected(api, make_client):
    first_page = (FIXTURES / "2024/results.json").read_bytes()
    api.script("2024/results", Reply(body=first_page), Reply(body=first_page))

    with pytest.raises(JolpicaResponseError, match=r"offset=4: page reports offset 0, expected 4"):
        make_client().get_all("2024/results")


def test_json_that_is_not_an_mrdata_page_raises_response_error(api, make_client):
    api.script("seasons", Reply(200, b'{"detail": "maintenance"}'))

    with pytest.raises(JolpicaResponseError, match=r"seasons\.json.*not an Ergast MRData page"):
        make_client().get_all("seasons")


def test_requests_go_through_the_rate_limiter(make_client, clock):
    client = make_client()
    for _ in range(10):
        client.get_all("seasons")

    assert len(clock.sleeps) >= 2
    assert sum(clock.sleeps) >= 2  # 10 requests at 4/s: the 9th and 10th start 2 s after the first
