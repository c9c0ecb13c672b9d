"""Requests for cover (shift swaps): phrases, policy, state table, repository, services, chat."""
