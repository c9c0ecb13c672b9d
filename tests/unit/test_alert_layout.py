"""Alerts are built like dispatch: no SQL outside storage, small modules, a feature that
does not route itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cpts_bot.chat.alerts_feature import AlertsFeature
from cpts_bot.chat.command_dispatch import Routes

PACKAGE = Path(__file__).resolve().parents[2] / "cpts_bot"
ALERT_MODULES = sorted(
    path
    for folder in ("domain", "services", "chat", "storage")
    for path in (PACKAGE / folder).glob("alert*.py")
)
SQL = re.compile(r"\.execute\(|\b(?:SELECT|UPDATE|INSERT INTO|DELETE FROM)\s")


def test_the_alert_modules_are_there() -> None:
    names = {path.stem for path in ALERT_MODULES}
    assert {
        "alert_phrases",
        "alert_state_machine",
        "alert_repository",
        "alert_firing_repository",
        "alert_posting",
        "alert_acknowledgement",
        "alerts_feature",
    } <= names
    assert not (PACKAGE / "services" / "territorial_alerts.py").exists()


@pytest.mark.parametrize(
    "path", [p for p in ALERT_MODULES if p.parent.name != "storage"], ids=lambda p: p.name
)
def test_no_alert_sql_outside_storage(path: Path) -> None:
    code = "\n".join(
        line for line in path.read_text("utf-8").splitlines() if not line.strip().startswith("#")
    )
    assert not SQL.search(code), f"SQL in {path.name}"


@pytest.mark.parametrize("path", ALERT_MODULES, ids=lambda p: p.name)
def test_alert_modules_are_small(path: Path) -> None:
    assert len(path.read_text("utf-8").splitlines()) < 300


def test_the_alerts_feature_does_not_route_itself() -> None:
    feature = AlertsFeature()
    assert not hasattr(feature, "handle_message")
    assert Routes.of(feature).features == []
