"""cpts-bot: an end-to-end-encrypted Matrix coordination desk for a French CPTS."""

__version__ = "0.1.0"
