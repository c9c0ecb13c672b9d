"""The médecin-traitant desk: phrases, policy, state table, repositories, services, chat."""
