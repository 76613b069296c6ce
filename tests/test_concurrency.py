"""Sixteen readers and a writer at once (bench/concurrency.py, a few seconds of it): no errors, and no reader ever
sees half of an update, a version older than one it saw, or a state older than an acknowledged write."""

from __future__ import annotations

from bench import concurrency
from tests.conftest import WRITE_TOKEN


def test_readers_never_see_half_an_update(writable_server):
    """A 4 s window; where it saw too few writes and reads to mean anything (Virtuoso beside other test processes
    managed 2 writes in one), windows of 8 then 16 s follow, until they have seen 3 writes and 50 reads between
    them. Every read of every window is checked."""
    writes = reads = 0
    for duration in (4, 8, 16):
        summary = concurrency.run(writable_server.url, WRITE_TOKEN, duration=duration, readers=16, triples=40)
        assert summary["errors"] == 0, summary["first_errors"]
        broken = summary["violations_by_kind"]
        if not writable_server.embedded:  # Virtuoso reads at READ COMMITTED (README, "External store"): no snapshots
            broken.pop("half an update", None)
        assert broken == {}, summary["first_violations"]
        writes, reads = writes + summary["writes"], reads + summary["reads"]
        if writes >= 3 and reads >= 50:
            break
    assert writes >= 3 and reads >= 50, summary
