"""The seeds file in the data directory."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from cpts_bot.matrix.cross_signing import (
    CrossSigningError,
    load_seeds,
    new_seeds,
    save_seeds,
    seeds_path,
)

USER = "@bot:example.org"


def test_round_trip_private_file(tmp_path: Path) -> None:
    assert load_seeds(tmp_path, USER) is None
    seeds = new_seeds(USER)
    save_seeds(tmp_path / "data", seeds)
    path = seeds_path(tmp_path / "data")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_seeds(tmp_path / "data", USER)
    assert loaded == seeds
    assert loaded.master.public_key != loaded.self_signing.public_key
    assert not list((tmp_path / "data").glob("*.tmp"))


def test_refuses_other_user_or_damaged_file(tmp_path: Path) -> None:
    save_seeds(tmp_path, new_seeds(USER))
    with pytest.raises(CrossSigningError, match="not of @other"):
        load_seeds(tmp_path, "@other:example.org")
    seeds_path(tmp_path).write_text('{"user_id": "@bot:example.org", "master": "AAA"}')
    with pytest.raises(CrossSigningError, match="restore-cross-signing"):
        load_seeds(tmp_path, USER)
    seeds_path(tmp_path).write_text("{not json")
    with pytest.raises(CrossSigningError, match="unreadable"):
        load_seeds(tmp_path, USER)
