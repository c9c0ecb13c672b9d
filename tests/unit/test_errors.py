"""One error family: every error class the bot raises derives from CptsBotError, and
matrix-nio's error values become MatrixError at one boundary."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from nio import JoinedMembersResponse, RoomSendError, RoomSendResponse

from cpts_bot.core.errors import ConfigurationError, CptsBotError, InputFileError, MatrixError
from cpts_bot.importers.directory_csv import DirectoryCsvError
from cpts_bot.importers.rpps_extract import TerritoryNotFoundError
from cpts_bot.matrix.client_factory import LoginError
from cpts_bot.matrix.matrix_chat_gateway import SendFailed
from cpts_bot.matrix.nio_responses import checked
from cpts_bot.settings import ConfigError
from cpts_bot.storage.schema_migrator import MigrationError

PACKAGE = Path(__file__).resolve().parents[2] / "cpts_bot"


def exception_classes() -> list[str]:
    """``module:Class`` for every class of the package whose bases name an error."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = [ast.unparse(base) for base in node.bases]
                if any(base.endswith(("Error", "Exception", "Failed")) for base in bases):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.name}")
    return found


def test_every_error_class_of_the_bot_is_in_the_family() -> None:
    import importlib

    outside = []
    for entry in exception_classes():
        module_path, name = entry.split(":")
        module = importlib.import_module(
            "cpts_bot." + module_path.removesuffix(".py").replace("/", ".")
        )
        cls = getattr(module, name)
        if isinstance(cls, type) and issubclass(cls, BaseException):
            if not issubclass(cls, CptsBotError):
                outside.append(entry)
    assert len(exception_classes()) >= 13
    assert outside == []


def test_the_kinds_the_command_line_needs() -> None:
    for cls in (ConfigError, MigrationError, LoginError):
        assert issubclass(cls, ConfigurationError) and cls.exit_code == 2
    for cls in (DirectoryCsvError, TerritoryNotFoundError):
        assert issubclass(cls, InputFileError)
    assert issubclass(SendFailed, MatrixError)


def test_checked_passes_the_expected_response_and_raises_the_family_otherwise() -> None:
    ok = RoomSendResponse("$e", "!r:hs")
    assert checked(ok, RoomSendResponse, "send") is ok
    limited = RoomSendError("Too many requests", "M_LIMIT_EXCEEDED")
    with pytest.raises(MatrixError) as caught:
        checked(limited, RoomSendResponse, "send")
    assert caught.value.transient and caught.value.code == "M_LIMIT_EXCEEDED"
    forbidden = RoomSendError("You are not allowed", "M_FORBIDDEN")
    with pytest.raises(MatrixError) as caught:
        checked(forbidden, RoomSendResponse, "send")
    assert not caught.value.transient and "M_FORBIDDEN" in str(caught.value)
    with pytest.raises(MatrixError):
        checked(ok, JoinedMembersResponse, "members")
