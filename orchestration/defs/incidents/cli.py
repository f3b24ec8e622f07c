"""``undercut incidents``: list recorded incidents, newest first, or show one in full (``--show ID``)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from orchestration.defs.incidents.store import IncidentStore
from orchestration.incidents import Incident, one_line
from transforms.settings import Settings


def _when(timestamp: float, ms: bool = False) -> str:
    when = dt.datetime.fromtimestamp(timestamp, dt.UTC)
    return when.strftime("%H:%M:%S.%f")[:-3] if ms else when.strftime("%Y-%m-%d %H:%M:%S")


def _listing(incidents: list[Incident]) -> str:
    header = ("id", "time (UTC)", "job", "step", "cause", "message")
    rows = [header, *((str(i.id), _when(i.failed_at), i.job, i.step, i.cause.value, one_line(i.message, 100))
                      for i in incidents)]
    widths = [max(len(r[c]) for r in rows) for c in range(len(header) - 1)]  # the message column is not padded
    return "\n".join("  ".join([*(v.ljust(w) for v, w in zip(r, widths, strict=False)), r[-1]]) for r in rows)


def _details(incident: Incident, store: IncidentStore) -> str:
    lines = [f"incident {incident.id}  run {incident.run_id}", f"job      {incident.job}",
             f"steps    {', '.join(incident.steps) or '(run-level failure)'}", f"cause    {incident.cause.value}",
             f"error    {incident.error_class}: {incident.message}", "",
             f"timeline (UTC, {_when(incident.failed_at)[:10]}):"]
    lines += [f"  {_when(e.timestamp, ms=True)}  {e.kind:<20} {e.step or '':<24} {one_line(e.message, 110)}"
              for e in incident.timeline]
    if incident.failed_checks:
        lines += ["", "failed checks:", *(f"  {c}" for c in incident.failed_checks)]
    lines += ["", "error chain (outermost first, innermost frames):"]
    for link in incident.errors:
        lines.append(f"  {link.qualname}: {one_line(link.message, 140)}")
        lines += [f"      {frame}" for frame in link.frames]
    lines += ["", "similar past incidents:"]
    for match in incident.similar:
        past = store.get(str(match.incident_id))
        summary = f"{_when(past.failed_at)} {one_line(past.headline, 120)}" if past else "(no longer stored)"
        lines.append(f"  #{match.incident_id} score {match.score:.2f}  {summary}")
    if not incident.similar:
        lines.append("  none")
    lines += ["", "remediation hints:", *(f"  - {hint}" for hint in incident.hints)]
    return "\n".join(lines)


def run_incidents(args: argparse.Namespace) -> int:
    store = IncidentStore(Settings().home)
    if args.show:
        incident = store.get(args.show)
        if incident is None:
            print(f"no incident {args.show!r} (give an incident id or a unique run id prefix)", file=sys.stderr)
            return 1
        print(_details(incident, store))
        return 0
    incidents = store.latest(args.limit)
    print(_listing(incidents) if incidents else f"no incidents recorded in {store.path}")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("incidents", help="failed runs with their classified cause (newest first)",
                                   description="Incidents recorded by the run-failure sensor and `undercut run`.")
    parser.add_argument("--show", metavar="ID", help="print one incident: timeline, similar incidents and hints "
                                                     "(incident id or run id prefix)")
    parser.add_argument("--limit", type=int, default=20, help="how many incidents to list")
    parser.set_defaults(func=run_incidents)
