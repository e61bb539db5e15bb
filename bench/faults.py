"""The fault matrix as a table: every operation the plugin calls × every fault kind.

    .venv/bin/python bench/faults.py [--cells N]

Runs the cells of tests/fault_matrix.py (the same definitions tests/test_faults.py
checks, one test per cell) against the local Amazon over loopback HTTP, each on a
fresh demo shop and a fresh sandbox sharing a simulated clock, and prints a
Markdown table: "retried ✓" when the sync finished correctly after retries,
"stopped, Turkish error ✓" when it stopped with a stored Turkish message, and in
both cases the next run completed with nothing lost or duplicated; "✗" with the
reason when a cell fails; "n/a" where the fault cannot happen to that operation.
"""
from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import fault_matrix as fm  # noqa: E402

from flask_amazon_tr.clock import SimulatedClock  # noqa: E402
from flask_amazon_tr.sandbox import SandboxServer, SandboxState  # noqa: E402

SIM_START = 1772442000.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=None, help="only the first N cells (the suite's smoke test)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the cells fail on purpose; their warnings are expected
    results: dict[tuple[str, str], str] = {}
    tally = {"retried": 0, "stopped": 0, "failed": 0, "known gap": 0}
    failures = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="amazon-tr-faults-") as tmp:
        for n, (row, kind) in enumerate(list(fm.cells())[:args.cells]):
            clock = SimulatedClock(start=SIM_START)
            server = SandboxServer(state=SandboxState(clock=clock))
            server.start()
            cell_dir = Path(tmp) / f"cell{n}"
            cell_dir.mkdir()
            gap = fm.KNOWN_GAPS.get((row.operation, kind))
            try:
                result = fm.run_cell(row, kind, cell_dir, server, clock)
            except AssertionError as exc:
                if gap:
                    tally["known gap"] += 1
                    results[(row.operation, kind)] = "✗ known gap †"
                else:
                    tally["failed"] += 1
                    results[(row.operation, kind)] = "✗"
                    failures.append(f"{fm.cell_id(row, kind)}: {exc}")
            else:
                tally[result.outcome] += 1
                results[(row.operation, kind)] = fm.CELL_TEXT[result.outcome] + (" (gap closed?)" if gap else "")
            finally:
                server.stop()
    print(fm.table(results))
    print()
    total = sum(tally.values())
    print(f"{total} cells: {tally['retried']} retried, {tally['stopped']} stopped with a Turkish error, "
          f"{tally['known gap']} known gap(s), {tally['failed']} failed; "
          f"{len(fm.ROWS) * len(fm.KINDS) - total if args.cells is None else 'some'} n/a; {time.monotonic() - started:.0f} s")
    for (op, kind), why in fm.KNOWN_GAPS.items():
        print(f"† {op} × {fm.KIND_LABELS[kind]}: {why}")
    for line in failures:
        print("FAILED", line)
    print()
    print("Reproduce: .venv/bin/python bench/faults.py   (as tests: .venv/bin/python -m pytest tests/test_faults.py -q)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
