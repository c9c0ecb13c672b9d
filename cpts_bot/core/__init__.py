"""Pure domain code: no I/O, no clock of its own, never imports nio, aiosqlite or apscheduler."""
