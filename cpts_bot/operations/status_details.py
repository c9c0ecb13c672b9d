"""The operator's view added to ``cpts-bot status``: the homeserver and its version, the
access token, throttling seen in the last hour, destinations failing, and the versions
of the crypto stack.

The homeserver's version needs no admin right: ``/_matrix/federation/v1/version`` when
the homeserver serves it on the client URL, else the ``Server`` header and the spec
versions of ``/_matrix/client/versions``. The token is checked with ``whoami`` (accepted
or rejected); neither a password login (without refresh tokens) nor a compatibility or
personal token issued by the homeserver's admin tells the bot when it expires.
None of these lines changes the exit code: a homeserver that does not answer is said so.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cpts_bot.matrix.crypto_stack import MISSING, installed_versions
from cpts_bot.storage.delivery_health import DeliveryHealth, read_delivery_health

THROTTLING_WINDOW = timedelta(hours=1)
CRYPTO_PACKAGES = ("matrix-nio", "vodozemac", "python-olm")


def detail_lines(
    data_dir: Path, database: Path, now: datetime, ask_homeserver: bool = True, timeout: float = 3
) -> list[str]:
    """The lines of the operator's view (labels padded like the status lines)."""
    lines: list[str] = []
    credentials = _credentials(data_dir / "credentials.json")
    if credentials and ask_homeserver:
        lines += homeserver_lines(credentials, timeout)
    lines += delivery_lines(read_delivery_health(database, now, THROTTLING_WINDOW), now)
    lines.append(f"crypto:        {crypto_versions()}")
    return lines


def _credentials(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("homeserver") else None


def homeserver_lines(credentials: dict[str, Any], timeout: float) -> list[str]:
    base = str(credentials["homeserver"]).rstrip("/")
    token = str(credentials.get("access_token", ""))
    lines = [f"homeserver:    {base}, {homeserver_version(base, timeout)}"]
    status, body = _get(f"{base}/_matrix/client/v3/account/whoami", timeout, token)
    if status == 200 and isinstance(body, dict):
        lines.append(f"token:         accepted for {body.get('user_id', '?')}")
    elif status in (401, 403) and isinstance(body, dict):
        lines.append(
            f"token:         REJECTED ({body.get('errcode', status)}: expired or revoked?"
            " see docs/e2ee.md)"
        )
    else:
        lines.append(f"token:         not checked ({_failure(status, body)})")
    lines.append(
        "token expiry:  not announced by the homeserver (valid until revoked, or until"
        " the date set by the admin who issued it)"
    )
    return lines


def homeserver_version(base: str, timeout: float) -> str:
    """``Synapse 1.x`` from the federation API, else the Server header and spec versions."""
    status, body = _get(f"{base}/_matrix/federation/v1/version", timeout)
    server = body.get("server") if status == 200 and isinstance(body, dict) else None
    if isinstance(server, dict) and server.get("name"):
        return f"{server['name']} {server.get('version', '?')}"
    status, body, header = _get_with_server(f"{base}/_matrix/client/versions", timeout)
    if status != 200 or not isinstance(body, dict):
        return f"version unknown ({_failure(status, body)})"
    versions = [str(v) for v in body.get("versions", [])]
    spec = f"client API {versions[0]}–{versions[-1]}" if versions else "no client API version"
    return f"{header or 'server not named'}, {spec}"


def _failure(status: int | None, body: Any) -> str:
    if status is None:
        return f"no answer: {body}"
    return f"HTTP {status}"


def _get(url: str, timeout: float, token: str = "") -> tuple[int | None, Any]:
    status, body, _ = _get_with_server(url, timeout, token)
    return status, body


def _get_with_server(url: str, timeout: float, token: str = "") -> tuple[int | None, Any, str]:
    """(HTTP status or None when unreachable, JSON body or the error, Server header)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, _json(response.read()), response.headers.get("Server", "")
    except urllib.error.HTTPError as error:
        return error.code, _json(error.read()), error.headers.get("Server", "")
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, str(getattr(error, "reason", error)), ""


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def delivery_lines(health: DeliveryHealth, now: datetime) -> list[str]:
    if health.error:
        return [f"deliveries:    unreadable ({health.error})"]
    if health.refusals:
        ago = int((now - health.last_refusal_at).total_seconds()) if health.last_refusal_at else 0
        endpoints = ", ".join(f"{name} {count}" for name, count in health.by_endpoint.items())
        throttling = (
            f"{_count(health.refusals, 'refusal')} (429) in the last hour ({endpoints}),"
            f" last {ago} s ago, longest wait asked {health.longest_wait_ms / 1000:.0f} s"
        )
    else:
        throttling = "none in the last hour"
    lines = [f"throttling:    {throttling}"]
    if not health.failing_total:
        return [*lines, "failing:       no destination"]
    destinations = _count(health.failing_total, "destination")
    lines.append(f"failing:       {destinations} with unsent messages")
    lines += [
        f"  {item.target}: {item.unsent} unsent, {item.attempts} attempts, {item.last_error}"
        for item in health.failing
    ]
    if health.failing_total > len(health.failing):
        lines.append(f"  ... and {health.failing_total - len(health.failing)} more")
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def crypto_versions() -> str:
    """``matrix-nio 0.26.0, vodozemac 0.10.0`` (the packages installed)."""
    found = installed_versions(CRYPTO_PACKAGES)
    listed = [f"{name} {version}" for name, version in found.items() if version != MISSING]
    return ", ".join(listed) or "no crypto package found"
