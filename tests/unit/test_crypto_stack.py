"""The end-to-end encryption stack: declared, installed and checked at start-up."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest

from cpts_bot import cli
from cpts_bot.matrix.crypto_stack import (
    CryptoStackError,
    check_crypto_stack,
    crypto_versions,
    release_of,
)

ROOT = Path(__file__).resolve().parents[2]


def test_release_of_reads_post_and_pre_releases() -> None:
    assert release_of("0.9.0.post2") == (0, 9, 0)
    assert release_of("0.10.0rc1") == (0, 10, 0)
    assert release_of("0.26.0") == (0, 26, 0)
    assert release_of("unknown") == ()


def test_the_installed_crypto_stack_is_the_pinned_one() -> None:
    versions = crypto_versions()
    assert release_of(versions["vodozemac"]) >= (0, 10, 0), versions
    assert versions["matrix-nio"] == "0.26.0", versions
    assert check_crypto_stack() == versions


def test_pyproject_declares_vodozemac_0_10_or_later() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    pins = [dep for dep in project["dependencies"] if re.match(r"vodozemac\b", dep)]
    assert pins == ["vodozemac>=0.10.0"]


def _fake_versions(monkeypatch: pytest.MonkeyPatch, **versions: str) -> None:
    real = importlib.metadata.version

    def version(name: str) -> str:
        key = name.replace("-", "_")
        if key in versions:
            if versions[key] == "missing":
                raise importlib.metadata.PackageNotFoundError(name)
            return versions[key]
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", version)


def test_an_older_vodozemac_is_refused_with_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_versions(monkeypatch, vodozemac="0.9.0.post2")
    with pytest.raises(CryptoStackError) as caught:
        check_crypto_stack()
    message = str(caught.value)
    assert "vodozemac 0.9.0.post2 is installed, 0.10.0 or later is needed" in message
    assert "pip install --upgrade 'vodozemac>=0.10.0'" in message


def test_a_missing_vodozemac_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_versions(monkeypatch, vodozemac="missing")
    with pytest.raises(CryptoStackError, match="vodozemac missing is installed"):
        check_crypto_stack()


def test_newer_versions_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_versions(monkeypatch, vodozemac="0.11.2", matrix_nio="0.27.1")
    assert check_crypto_stack() == {"vodozemac": "0.11.2", "matrix-nio": "0.27.1"}


def test_run_refuses_to_start_on_an_old_vodozemac(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _fake_versions(monkeypatch, vodozemac="0.9.0")
    monkeypatch.setenv("CPTS_HOMESERVER", "http://127.0.0.1:9")
    monkeypatch.setenv("CPTS_USER_ID", "@bot:localhost")
    monkeypatch.setenv("CPTS_PASSWORD", "secret")
    monkeypatch.setenv("CPTS_DATA_DIR", str(tmp_path / "data"))
    code = cli.main(["--rooms-file", str(ROOT / "rooms.yaml"), "run"])
    assert code == 2
    err = capsys.readouterr().err
    assert "refusing to start with an unsafe end-to-end encryption stack" in err
    assert "vodozemac 0.9.0 is installed" in err
    assert not (tmp_path / "data").exists(), "nothing may start before the check"
