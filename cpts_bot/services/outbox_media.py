"""Images in the outbox, now in :mod:`cpts_bot.storage.outbox_media` (kept importable)."""

from cpts_bot.storage.outbox_media import ACTION_IMAGE, media_bytes, png_size, queue_image

__all__ = ["ACTION_IMAGE", "media_bytes", "png_size", "queue_image"]
