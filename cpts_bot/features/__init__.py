"""One folder per feature; a module's role is read from its name (see docs/architecture.md)."""
