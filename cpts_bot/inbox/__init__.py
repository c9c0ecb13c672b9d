"""The inbox machinery: stored inbox rows to the chat features, each event once."""
