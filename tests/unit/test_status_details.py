"""The operator's view of ``cpts-bot status``: throttling seen in the last hour (429
refusals recorded from matrix-nio's response callbacks), destinations failing, the
crypto stack's versions; a homeserver that does not answer is said so, the exit code
unchanged."""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path

import pytest
from nio import AsyncClient, ErrorResponse

from cpts_bot.cli import build_parser
from cpts_bot.core.messages import Reply
from cpts_bot.matrix.nio_responses import rate_limit_of, record_rate_limits
from cpts_bot.operations.status_details import homeserver_lines
from cpts_bot.storage import core_repository as repo
from cpts_bot.storage.database import Database
from cpts_bot.storage.delivery_health import read_delivery_health, record_refusal
from cpts_bot.storage.outbox import OutboxWriter
from tests.unit.test_status_command import running_bot

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@dataclass
class _Url:
    path: str


@dataclass
class _Transport:
    status: int
    url: _Url


def refusal(path: str, retry_after_ms: int | None = 2000) -> ErrorResponse:
    response = ErrorResponse("Too Many Requests", "M_LIMIT_EXCEEDED", retry_after_ms)
    response.transport_response = _Transport(429, _Url(path))  # type: ignore[assignment]
    return response


def test_a_429_is_recognised_with_its_endpoint() -> None:
    assert rate_limit_of(refusal("/_matrix/client/v3/createRoom")) == ("createRoom", 2000)
    assert rate_limit_of(refusal("/_matrix/client/v3/rooms/!a:hs/send/m.room.message/t1")) == (
        "send",
        2000,
    )
    assert rate_limit_of(refusal("/_matrix/client/v3/keys/claim", None)) == ("keys/claim", None)
    assert rate_limit_of(ErrorResponse("Forbidden", "M_FORBIDDEN")) is None


async def test_refusals_seen_by_nio_callbacks_are_recorded(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "cpts-bot.sqlite")
    client = AsyncClient("http://127.0.0.1:1", "@bot:hs")
    try:
        record_rate_limits(client, database)
        await client.run_response_callbacks(
            [refusal("/_matrix/client/v3/createRoom"), ErrorResponse("no", "M_FORBIDDEN")]
        )
    finally:
        await client.close()
        await database.close()
    health = read_delivery_health(
        tmp_path / "cpts-bot.sqlite", datetime.now(UTC), timedelta(hours=1)
    )
    assert health.refusals == 1 and health.by_endpoint == {"createRoom": 1}


async def test_throttling_of_the_last_hour_and_failing_destinations(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "cpts-bot.sqlite")
    try:
        await record_refusal(database, NOW - timedelta(hours=2), "send", 1000)
        await record_refusal(database, NOW - timedelta(minutes=30), "createRoom", 58000)
        await record_refusal(database, NOW - timedelta(minutes=5), "send", 3000)
        await record_refusal(database, NOW - timedelta(minutes=4), "send", None)
        await _failing_row(database, "!far:down.example", "M_UNKNOWN: no route", attempts=3)
        await _failing_row(database, "!near:hs", "HTTP 502", attempts=1)
        await _failing_row(database, "!ok:hs", "", attempts=0)
    finally:
        await database.close()
    health = read_delivery_health(tmp_path / "cpts-bot.sqlite", NOW, timedelta(hours=1))
    assert health.refusals == 3
    assert health.by_endpoint == {"send": 2, "createRoom": 1}
    assert health.last_refusal_at == NOW - timedelta(minutes=4)
    assert health.longest_wait_ms == 58000
    assert health.failing_total == 2
    assert [(d.target, d.attempts, d.last_error) for d in health.failing] == [
        ("!far:down.example", 3, "M_UNKNOWN: no route"),
        ("!near:hs", 1, "HTTP 502"),
    ]


async def _failing_row(database: Database, room: str, error: str, attempts: int) -> None:
    async with database.transaction() as db:
        await OutboxWriter(db, NOW).send(room, Reply("bonjour"))
    row = next(r for r in await repo.unsent_outbox(database) if r.target == room)
    for _ in range(attempts):
        await repo.record_failure(database, row.id, error, False, NOW)


async def test_status_prints_the_operator_view_and_keeps_its_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = await running_bot(tmp_path, NOW - timedelta(seconds=20))
    try:
        await record_refusal(database, NOW - timedelta(minutes=10), "invite", 4000)
        await _failing_row(database, "!far:down.example", "M_UNKNOWN: no route", attempts=2)
    finally:
        await database.close()
    credentials = json.loads((tmp_path / "credentials.json").read_text())
    # A homeserver that does not answer: said so, and health is still decided locally.
    credentials.update(homeserver="http://127.0.0.1:9", access_token="t")
    (tmp_path / "credentials.json").write_text(json.dumps(credentials))
    args = build_parser().parse_args(["status", "--data-dir", str(tmp_path)])
    code = await asyncio.to_thread(_status, args)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "homeserver:    http://127.0.0.1:9, version unknown (no answer" in out
    assert "token:         not checked (no answer" in out
    assert "throttling:    1 refusal (429) in the last hour (invite 1)" in out
    assert "failing:       1 destination with unsent messages" in out
    assert "  !far:down.example: 1 unsent, 2 attempts, M_UNKNOWN: no route" in out
    assert f"vodozemac {metadata.version('vodozemac')}" in out
    assert f"matrix-nio {metadata.version('matrix-nio')}" in out


def _status(args: argparse.Namespace) -> int:
    return int(args.handler(args, NOW))


class _Homeserver(BaseHTTPRequestHandler):
    """A homeserver serving the federation version and refusing the token."""

    def do_GET(self) -> None:
        if self.path == "/_matrix/federation/v1/version":
            self._json(200, {"server": {"name": "Synapse", "version": "1.163.2"}})
        elif self.path == "/_matrix/client/v3/account/whoami":
            self._json(401, {"errcode": "M_UNKNOWN_TOKEN", "error": "Invalid access token"})
        else:
            self._json(404, {"errcode": "M_UNRECOGNIZED"})

    def _json(self, status: int, body: dict[str, object]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *_args: object) -> None:
        pass


def test_the_federation_version_and_a_rejected_token() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Homeserver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        lines = homeserver_lines({"homeserver": base, "access_token": "old"}, timeout=3)
    finally:
        server.shutdown()
        server.server_close()
    assert lines[0] == f"homeserver:    {base}, Synapse 1.163.2"
    assert lines[1] == (
        "token:         REJECTED (M_UNKNOWN_TOKEN: expired or revoked? see docs/e2ee.md)"
    )
