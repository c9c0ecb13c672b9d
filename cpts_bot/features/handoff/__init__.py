"""Hand-off to the coordination: phrases, state table, repository, service, chat."""
