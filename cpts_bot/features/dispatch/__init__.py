"""Dispatch requests: phrases, policy, state table, repository, services, chat."""
