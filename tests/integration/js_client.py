"""Drive ``tests/js/client.mjs`` (matrix-js-sdk, Rust crypto) from the Python tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

JS_DIR = Path(__file__).resolve().parents[1] / "js"


def ensure_js_client() -> str | None:
    """Install the test client's packages if needed; the reason it cannot run, or None."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "Node.js (node and npm) is not installed"
    if not (JS_DIR / "node_modules" / "matrix-js-sdk").is_dir():
        command = [
            "npm",
            "ci" if (JS_DIR / "package-lock.json").exists() else "install",
            "--no-audit",
            "--no-fund",
        ]
        result = subprocess.run(command, cwd=JS_DIR, capture_output=True, text=True)
        if result.returncode != 0:
            return f"npm failed: {result.stderr[-500:]}"
    return None


class JsClient:
    """One running client; its JSON lines are kept in ``lines``."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[dict[str, Any]] = []
        self._new_line = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(
        cls,
        homeserver: str,
        user_id: str,
        password: str,
        *,
        isolation: str = "only-signed",
        cross_sign: bool = True,
        secret_storage: bool = False,
        invite: str | None = None,
        room: str | None = None,
        accept_invites: bool = False,
    ) -> JsClient:
        args = [
            "node",
            str(JS_DIR / "client.mjs"),
            "--homeserver",
            homeserver,
            "--user",
            user_id,
            "--password",
            password,
            "--isolation",
            isolation,
        ]
        if cross_sign:
            args.append("--cross-sign")
        if secret_storage:
            args.append("--secret-storage")
        if invite:
            args += ["--invite", invite]
        if room:
            args += ["--room", room]
        if accept_invites:
            args.append("--accept-invites")
        process = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            cwd=JS_DIR,
        )
        return cls(process)

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            with contextlib.suppress(ValueError):
                self.lines.append(json.loads(line))
                self._new_line.set()
        self._new_line.set()

    async def command(self, **command: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(command) + "\n").encode())
        await self.process.stdin.drain()

    async def expect(
        self, predicate: Callable[[dict[str, Any]], bool], seconds: float = 60
    ) -> dict[str, Any]:
        """The first line (already seen or to come) matching ``predicate``."""

        async def look() -> dict[str, Any]:
            seen = 0
            while True:
                for line in self.lines[seen:]:
                    if line.get("type") == "error":
                        raise AssertionError(f"js client error: {line}")
                    if predicate(line):
                        return line
                seen = len(self.lines)
                if self.process.stdout is not None and self._reader.done():
                    raise AssertionError(f"js client exited; its output: {self.lines}")
                self._new_line.clear()
                await self._new_line.wait()

        return await asyncio.wait_for(look(), seconds)

    async def close(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ConnectionError):
                await self.command(cmd="quit")
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.terminate()
                await self.process.wait()
        await self._reader
