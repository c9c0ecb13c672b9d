"""Images and files in the outbox: actions whose bytes live in ``outbox_media``.

``image``: the Matrix adapter uploads the bytes (encrypted attachment in an encrypted
room) and posts an ``m.image`` with the payload's caption. ``direct_file``: the same as an
``m.file`` in the bot's encrypted direct chat with a user (created if need be). The row's
transaction id keys both the row and its bytes.
"""

from __future__ import annotations

import struct

import aiosqlite

from cpts_bot.storage.outbox import OutboxWriter

ACTION_IMAGE = "image"  # target: room id; bytes in outbox_media under the same txn_id
ACTION_DIRECT_FILE = "direct_file"  # target: user id (the bot's DM); bytes as for images
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height read from a PNG header; ValueError if ``data`` is not a PNG."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def queue_image(
    outbox_writer: OutboxWriter,
    room_id: str,
    filename: str,
    png_bytes: bytes,
    caption: str,
    *,
    correlation: str | None = None,
) -> str:
    """Queue a PNG image for ``room_id`` in the current transaction; return its txn id."""
    width, height = png_size(png_bytes)
    payload = {
        "filename": filename,
        "caption": caption,
        "mimetype": "image/png",
        "size": len(png_bytes),
        "width": width,
        "height": height,
    }
    # The outbox writer's own queueing keeps one txn id format and one row layout.
    txn_id = await outbox_writer._queue(ACTION_IMAGE, room_id, payload, correlation)
    await outbox_writer.db.execute(
        "INSERT INTO outbox_media (txn_id, mimetype, data) VALUES (?, ?, ?)",
        (txn_id, "image/png", png_bytes),
    )
    return txn_id


async def queue_direct_file(
    outbox_writer: OutboxWriter,
    user_id: str,
    filename: str,
    data: bytes,
    mimetype: str,
    caption: str,
    *,
    correlation: str | None = None,
) -> str:
    """Queue a file for the bot's direct chat with ``user_id`` in the current transaction;
    return its txn id."""
    if not data:
        raise ValueError("an empty file is not sent")
    payload = {"filename": filename, "caption": caption, "mimetype": mimetype, "size": len(data)}
    txn_id = await outbox_writer._queue(ACTION_DIRECT_FILE, user_id, payload, correlation)
    await outbox_writer.db.execute(
        "INSERT INTO outbox_media (txn_id, mimetype, data) VALUES (?, ?, ?)",
        (txn_id, mimetype, data),
    )
    return txn_id


async def media_bytes(db: aiosqlite.Connection, txn_id: str) -> bytes | None:
    """The bytes queued under ``txn_id`` (for the sender side)."""
    async with db.execute("SELECT data FROM outbox_media WHERE txn_id = ?", (txn_id,)) as cursor:
        row = await cursor.fetchone()
    return bytes(row[0]) if row else None
