import asyncio

from cpts_bot.matrix.typing_indicator import TypingIndicator


class RecordingClient:
    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []

    async def room_typing(self, room_id: str, on: bool, timeout: int) -> None:
        self.calls.append((room_id, on))


async def test_fast_work_shows_no_typing() -> None:
    client = RecordingClient()
    typing = TypingIndicator(client, delay=0.05)  # type: ignore[arg-type]
    await typing.set("!r", True)
    await typing.set("!r", False)
    await asyncio.sleep(0.1)
    assert client.calls == []


async def test_slow_work_shows_typing_then_stops_it() -> None:
    client = RecordingClient()
    typing = TypingIndicator(client, delay=0.01)  # type: ignore[arg-type]
    await typing.set("!r", True)
    await asyncio.sleep(0.05)
    await typing.set("!r", False)
    assert client.calls == [("!r", True), ("!r", False)]
