"""The fan-out benchmark's report: PostgreSQL's own background work set against the
phases, and the summary of several runs."""

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


def test_the_runs_summary_gives_each_run_and_the_median_of_their_ratios() -> None:
    from bench.bench_dispatch_fanout import BARE_AHEAD, FIRST_LABEL, Run, render_runs

    def run(ahead: float, warm: float, bare: float, bare_ahead: float) -> Run:
        edits = "edits for 2 (one accepted)"
        return Run(
            "postgres",
            floor={},
            floor_rounds=[{"existing chats": [bare * 1000], edits: [bare * 1000]}] * 3,
            rows={
                f"cpts-bot, dispatch 1 ({FIRST_LABEL})": [ahead * 1000],
                "cpts-bot, dispatch 2 (existing chats)": [warm * 1000],
                "cpts-bot, dispatch 3 (existing chats)": [warm * 1000],
            },
            told={
                "cpts-bot, dispatch 2: broadcasts edited": [warm * 1000],
                "cpts-bot, dispatch 3: broadcasts edited": [warm * 1000],
            },
            undecryptable=0,
            phases={},
            load_before=0.5,
            load_after=1.0,
            opened_ahead_s=40.0,
            background={1: ["checkpoint"]},
            floor_ahead={BARE_AHEAD: [bare_ahead * 1000, bare_ahead * 500]},
        )

    lines = render_runs(
        3, [run(1.2, 1.0, 1.0, 1.1), run(2.0, 2.0, 1.6, 2.0), run(1.1, 1.0, 1.0, 1.0)]
    )
    rows = [line for line in lines if line.startswith("| ")][1:]
    # bot / bare (existing, edits), first message bot / bare, bare's first / existing,
    # bot's first / existing; each from the run's own last recipients.
    assert rows[0] == (
        "| 1 | 0.5 | 1.00× | 1.00× | 1.09× | 1.10× | **1.20×** (1.20 s / 1.00 s) "
        "| 1 checkpoint(s) |"
    )
    assert rows[1].startswith("| 2 | 0.5 | 1.25× | 1.25× | 1.00× | 1.25× | **1.00×**")
    assert rows[3] == ("| median of the runs | | 1.00× | 1.00× | 1.09× | 1.10× | **1.10×** | |")
