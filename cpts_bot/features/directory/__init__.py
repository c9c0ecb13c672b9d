"""Directory questions: the reader, the matcher, the repository, the replies."""
