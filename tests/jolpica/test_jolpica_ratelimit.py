"""RateLimiter on fake time: Jolpica's burst (4/s) and sustained (500/h) limits."""

from __future__ import annotations

from jolpica_fake import FakeClock

from transforms.jolpica import RateLimiter


def test_ten_requests_at_four_per_second_take_at_least_two_seconds():
    clock = FakeClock(now=0.0)
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)

    starts = []
    for _ in range(10):
        limiter.acquire()
        starts.append(clock.now)

    assert starts == [0.0] * 4 + [1.0] * 4 + [2.0] * 2
    assert clock.now >= 2.0


def test_the_501st_request_in_an_hour_waits_for_the_hour_to_roll_over():
    clock = FakeClock(now=0.0)
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    for _ in range(500):
        limiter.acquire()
    assert clock.now < 3600  # 500 requests fit in the hour (the burst limit alone spreads them over ~2 min)

    waited = limiter.acquire()

    assert waited > 0
    assert clock.now >= 3600.0  # one hour after the first request
