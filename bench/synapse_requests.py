"""Where the homeserver's time goes: Synapse's request log (``synapse.access`` at INFO),
summed per kind of request over a slice of the log.

Each line gives the request's processing time, its CPU time (user + system, on the
homeserver's main thread and its database threads) and its database transactions; ids
in paths are folded so that, e.g., every ``/rooms/!x/send/m.room.message/txn`` counts as
one kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

LINE = re.compile(
    r"Processed request: (?P<time>[\d.]+)sec/[\d.]+sec "
    r"ru=\((?P<user>[\d.]+)sec, (?P<system>[\d.]+)sec\) "
    r"db=\([\d.]+sec/(?P<db>[\d.]+)sec/(?P<txns>\d+)\)"
    r' \S+B \S+ "(?P<method>\S+) (?P<path>\S+)'
)
FOLDS = [
    (re.compile(r"/rooms/[^/]+"), "/rooms/{room}"),
    (re.compile(r"/(send|sendToDevice)/([^/?]+)/[^/?]+"), r"/\1/\2/{txn}"),
    (re.compile(r"/(state|event|relations)/[^?]*"), r"/\1/…"),
    (re.compile(r"/users/[^/?]+"), "/users/{user}"),
    (re.compile(r"/join/[^/?]+"), "/join/{room}"),
    (re.compile(r"\?.*"), ""),
    (re.compile(r"/_matrix/client/(v3|r0|unstable)"), ""),
]


@dataclass
class Kind:
    requests: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    database: float = 0.0
    transactions: int = 0


def fold(method: str, path: str) -> str:
    for pattern, replacement in FOLDS:
        path = pattern.sub(replacement, path)
    return f"{method} {path}"


class RequestLog:
    """A Synapse ``homeserver.log``; :meth:`mark` a position, :meth:`since` sums after it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def mark(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def since(self, start: int, end: int | None = None) -> dict[str, Kind]:
        with self.path.open("rb") as handle:
            handle.seek(start)
            text = handle.read(None if end is None else end - start).decode(errors="replace")
        kinds: dict[str, Kind] = {}
        for match in LINE.finditer(text):
            kind = kinds.setdefault(fold(match["method"], match["path"]), Kind())
            kind.requests += 1
            kind.seconds += float(match["time"])
            kind.cpu += float(match["user"]) + float(match["system"])
            kind.database += float(match["db"])
            kind.transactions += int(match["txns"])
        return kinds


def table(kinds: dict[str, Kind], wall: float, top: int = 8) -> list[str]:
    """The heaviest kinds by CPU, as a Markdown table, with the slice's wall-clock time."""
    total = sum(kind.cpu for kind in kinds.values())
    lines = [
        f"Homeserver CPU in these {wall:.1f} s: {total:.1f} s "
        f"({sum(k.requests for k in kinds.values())} requests).",
        "",
        "| request | count | CPU (s) | CPU per request (ms) | database (s) | time per request (ms) |",
        "|---|---|---|---|---|---|",
    ]
    heaviest = sorted(kinds.items(), key=lambda item: item[1].cpu, reverse=True)[:top]
    for name, kind in heaviest:
        lines.append(
            f"| `{name}` | {kind.requests} | {kind.cpu:.2f} | "
            f"{kind.cpu / kind.requests * 1000:.1f} | {kind.database:.2f} | "
            f"{kind.seconds / kind.requests * 1000:.0f} |"
        )
    return lines
