"""The recovery key file: 0600, written once, never overwritten."""

from __future__ import annotations

import stat
from pathlib import Path

from cpts_bot.matrix.cross_signing import write_recovery_key


def test_written_once_with_mode_0600_and_never_overwritten(tmp_path: Path) -> None:
    first = write_recovery_key(tmp_path / "data", "EsTc 1111")
    assert first == tmp_path / "data" / "recovery-key.txt"
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    second = write_recovery_key(tmp_path / "data", "EsTc 2222")
    assert second.name == "recovery-key-2.txt"
    assert first.read_text("utf-8") == "EsTc 1111\n"
    assert second.read_text("utf-8") == "EsTc 2222\n"
    assert stat.S_IMODE(second.stat().st_mode) == 0o600
