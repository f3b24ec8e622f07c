"""Session identity: the key of a weekend partition, e.g. ``2024-05-R`` ↔ ``season=2024/round=05/session=R``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.exceptions import UnknownSessionError
from transforms.schemas import SESSION_CODES, SESSION_NAMES

_KEY = re.compile(r"^(?P<season>\d{4})-(?P<round>\d{2})-(?P<session>[A-Z0-9]+)$")
_RACE_KEY = re.compile(r"^(?P<season>\d{4})-(?P<round>\d{2})$")


@dataclass(frozen=True, order=True)
class SessionRef:
    season: int
    round: int
    session: str  # short code: R, Q, S, SQ, FP1, FP2, FP3

    def __post_init__(self) -> None:
        if self.session not in SESSION_NAMES:
            raise UnknownSessionError(f"unknown session code {self.session!r}; expected one of {sorted(SESSION_NAMES)}")

    @property
    def key(self) -> str:
        return f"{self.season}-{self.round:02d}-{self.session}"

    @property
    def session_name(self) -> str:
        return SESSION_NAMES[self.session]

    @property
    def hive_path(self) -> str:
        return f"season={self.season}/round={self.round:02d}/session={self.session}"

    @classmethod
    def parse(cls, key: str) -> SessionRef:
        m = _KEY.match(key)
        if not m:
            raise UnknownSessionError(f"session key {key!r} is not of the form YYYY-RR-CODE, e.g. 2024-05-R")
        return cls(int(m["season"]), int(m["round"]), m["session"])

    @classmethod
    def from_name(cls, season: int, round: int, session_name: str) -> SessionRef:
        try:
            return cls(season, round, SESSION_CODES[session_name])
        except KeyError:
            raise UnknownSessionError(f"unknown session name {session_name!r}") from None


def race_key(season: int, round: int) -> str:
    """The key of a race partition, e.g. ``2024-05``: one per grand prix weekend."""
    return f"{season}-{round:02d}"


def parse_race_key(key: str) -> tuple[int, int]:
    m = _RACE_KEY.match(key)
    if not m:
        raise UnknownSessionError(f"race key {key!r} is not of the form YYYY-RR, e.g. 2024-05")
    return int(m["season"]), int(m["round"])
