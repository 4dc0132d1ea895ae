"""Summarise a ``BENCH_TRACE`` timeline (``bench_upsert_matrix.py``): where a worker's time goes.

    python benchmarks/trace_summary.py /path.jsonl [bin_seconds]

Per worker: when the first search and the first write were sent, the batch reads, the lead
creates answered per time bin with the writes in flight (mean) and the searches sent in it,
the stretches with no write in flight (gaps), the last write's answer and the end.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from typing import Any

__all__ = ["summarise"]


def summarise(records: list[dict[str, Any]], step: float = 1.0) -> str:
    """Return the text summary of one trace, worker by worker."""
    lines: list[str] = []
    by_worker: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_worker[record["worker"]].append(record)
    for worker, events in sorted(by_worker.items()):
        http = [e for e in events if e["event"] == "http"]
        writes = sorted((e for e in http if e["path"].endswith("/lead/")), key=lambda e: e["send"])
        searches = [e for e in http if "search" in e["path"]]
        end = next((e["t"] for e in events if e["event"] == "end"), None)
        lines.append(f"worker {worker}: {len(writes)} writes, {len(searches)} searches, end {end}")
        reads = [f"{e['row']}@{e['t']:.2f}" for e in events if e["event"] == "read"]
        lines.append("  batches read: " + " ".join(reads))
        if searches:
            first = min(searches, key=lambda e: e["send"])
            lines.append(f"  first search sent {first['send']:.3f} answered {first['answer']:.3f}")
        if not writes:
            continue
        lines.append(
            f"  first write sent {writes[0]['send']:.3f}; last answered "
            f"{max(e['answer'] for e in writes):.3f}; 429s "
            f"{sum(e['status'] == 429 for e in writes)}"
        )
        horizon = max(e["answer"] for e in writes)
        bins = int(horizon / step) + 1
        for i in range(bins):
            lo, hi = i * step, (i + 1) * step
            done = sum(1 for e in writes if lo <= e["answer"] < hi and e["status"] < 300)
            busy = sum(max(0.0, min(hi, e["answer"]) - max(lo, e["send"])) for e in writes)
            sent = sum(1 for e in searches if lo <= e["send"] < hi)
            lines.append(
                f"  [{lo:6.1f},{hi:6.1f}) created {done:4d}  in flight {busy / step:5.1f}"
                f"  searches {sent}"
            )
        gaps, covered = [], writes[0]["answer"]
        for e in writes[1:]:
            if e["send"] - covered > 0.05:
                gaps.append(f"{covered:.2f}-{e['send']:.2f}")
            covered = max(covered, e["answer"])
        lines.append("  no write in flight: " + (", ".join(gaps) or "never"))
    return "\n".join(lines)


if __name__ == "__main__":
    with open(sys.argv[1]) as handle:
        trace = [json.loads(line) for line in handle]
    print(summarise(trace, float(sys.argv[2]) if len(sys.argv) > 2 else 1.0))
