"""A professional's card: the update grammar and its chat commands."""
