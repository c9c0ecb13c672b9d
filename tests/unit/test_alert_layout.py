"""Alerts are built like dispatch: small modules, a feature that does not route itself
(no SQL outside storage/ is checked for the whole package by test_sql_in_storage.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpts_bot.chat.command_dispatch import Routes
from cpts_bot.features.alerts.chat import AlertsFeature

PACKAGE = Path(__file__).resolve().parents[2] / "cpts_bot"
ALERT_MODULES = sorted(
    path for path in (PACKAGE / "features" / "alerts").glob("*.py") if path.name != "__init__.py"
)


def test_the_alert_modules_are_there() -> None:
    names = {path.stem for path in ALERT_MODULES}
    assert {
        "phrases",
        "states",
        "repository",
        "firing_repository",
        "posting_service",
        "acknowledgement_service",
        "chat",
    } <= names
    assert not (PACKAGE / "services" / "territorial_alerts.py").exists()


@pytest.mark.parametrize("path", ALERT_MODULES, ids=lambda p: p.name)
def test_alert_modules_are_small(path: Path) -> None:
    assert len(path.read_text("utf-8").splitlines()) < 300


def test_the_alerts_feature_does_not_route_itself() -> None:
    feature = AlertsFeature()
    assert not hasattr(feature, "handle_message")
    assert Routes.of(feature).self_routed == []
