"""Time helpers: UTC in storage, Europe/Paris for people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def to_iso(moment: datetime) -> str:
    """Store a datetime as ISO 8601 UTC text (naive datetimes are refused)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_iso(text: str) -> datetime:
    """Read a datetime stored by :func:`to_iso` (or any ISO 8601 text with an offset)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def configured_delay(seconds: int | None, **usual: float) -> timedelta:
    """A configured delay: ``seconds`` when given (tests and demos set them), else the delay
    in its usual unit (``minutes=10``, ``hours=48``)."""
    return timedelta(seconds=seconds) if seconds is not None else timedelta(**usual)


def from_millis(milliseconds: int) -> datetime:
    """A Matrix ``origin_server_ts`` as an aware UTC datetime."""
    return datetime.fromtimestamp(milliseconds / 1000, tz=UTC)
