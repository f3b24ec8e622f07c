"""HTTP API benchmark: `undercut serve` on a built home under a bounded local load.

    .venv/bin/python benchmarks/bench_api.py --home /path/to/built/home [--requests 2000] [--concurrency 8]

Starts the server on a free port of 127.0.0.1, then, per endpoint, sends `--requests` requests from `--concurrency`
threads (after a warm-up) and prints p50/p95 latency and requests per second. `/strategy` runs the engine with
10,000 simulations per request, so it gets `--strategy-requests` (default 200).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
STRATEGY = {"predicted_position_mean": 5.0, "circuit_id": "monza", "n_simulations": 10_000}


def _load(base_url: str, path: str, params: dict[str, object], requests: int, concurrency: int) -> None:
    def one(client: httpx.Client) -> float:
        start = time.perf_counter()
        client.get(path, params=params).raise_for_status()
        return time.perf_counter() - start

    with httpx.Client(base_url=base_url, timeout=300,
                      limits=httpx.Limits(max_connections=concurrency)) as client:
        for _ in range(concurrency):
            one(client)  # warm-up: the engine's first call loads Numba's compiled kernels
        start = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            latencies = sorted(pool.map(lambda _: one(client), range(requests)))
        wall = time.perf_counter() - start
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    print(f"{path:<24} requests={requests} concurrency={concurrency} p50_ms={statistics.median(latencies) * 1e3:.1f} "
          f"p95_ms={p95 * 1e3:.1f} requests_per_s={requests / wall:.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="an UNDERCUT_HOME built by `undercut run`")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--strategy-requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "tests"))
    from undercut_cli import free_port

    port = free_port()
    env = {**os.environ, "UNDERCUT_HOME": str(args.home.resolve())}
    server = subprocess.Popen([sys.executable, "-m", "orchestration.cli", "serve", "--port", str(port)], env=env,
                              cwd=REPO)
    base_url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base_url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        _load(base_url, "/races/next/strategy", {}, args.requests, args.concurrency)
        _load(base_url, "/strategy", STRATEGY, args.strategy_requests, args.concurrency)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
