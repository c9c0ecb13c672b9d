"""Shared fixtures. Integration fixtures (the real Synapse) live in tests/integration."""
