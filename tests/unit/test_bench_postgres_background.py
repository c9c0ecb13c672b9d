"""The fan-out benchmark sets PostgreSQL's own background work against its phases."""

from __future__ import annotations

from datetime import UTC, datetime

from bench.bench_dispatch_fanout import background_work, describe_background

LOG = """\
2026-12-07 16:29:34.687 UTC LOG:  automatic vacuum of table "synapse.public.events": index scans: 1
\tpages: 0 removed, 12 remain
2026-12-07 16:29:34.700 UTC LOG:  automatic analyze of table "synapse.public.event_json"
2026-12-07 16:29:50.000 UTC LOG:  checkpoint starting: time
2026-12-07 16:29:58.500 UTC LOG:  checkpoint complete: wrote 6575 buffers (40.1%)
2026-12-07 16:30:10.884 UTC LOG:  automatic aggressive vacuum of table "template1.pg_catalog.pg_statistic": index scans: 1
2026-12-07 16:30:11.000 UTC LOG:  database system is shut down
"""


def at(clock: str) -> float:
    return datetime.fromisoformat(f"2026-12-07T{clock}+00:00").astimezone(UTC).timestamp()


def test_autovacuum_and_checkpoints_fall_in_the_windows_they_overlap() -> None:
    windows = {
        1: (at("16:29:34.000"), at("16:29:35.000")),
        2: (at("16:29:55.000"), at("16:29:56.000")),  # inside the checkpoint
        3: (at("16:30:00.000"), at("16:30:05.000")),  # nothing
        4: (at("16:30:10.000"), at("16:30:12.000")),
    }
    found = background_work(LOG, windows)
    assert found == {
        1: [
            'automatic vacuum of table "synapse.public.events"',
            'automatic analyze of table "synapse.public.event_json"',
        ],
        2: ["checkpoint"],
        3: [],
        4: ['automatic aggressive vacuum of table "template1.pg_catalog.pg_statistic"'],
    }
    assert describe_background(found[1]) == "autovacuum: 2 table(s)"
    assert describe_background(found[2]) == "1 checkpoint(s)"
    assert describe_background(found[3]) == "none"
