"""Tools for the demo and the tests: a local Synapse homeserver on 127.0.0.1."""
