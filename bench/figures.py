"""How the benchmarks print a figure: every figure line says where its number comes from.

[measured]  this machine's wall clock (time.perf_counter), CPU clock (time.thread_time,
            time.process_time) or memory: it changes from run to run and machine to machine;
[computed]  a simulated clock or a formula (rate limits, the debounce window): the same
            on every machine, and no evidence of speed;
[counted]   requests the sandbox received or rows in the database: exact.
"""
from __future__ import annotations

import math

MEASURED = "measured"
COMPUTED = "computed"
COUNTED = "counted"
KINDS = (MEASURED, COMPUTED, COUNTED)


def legend() -> None:
    print("[measured] this machine's wall/CPU clock or memory; [computed] a simulated clock or a formula; "
          "[counted] requests the sandbox received or rows in the database", flush=True)


def figure(kind: str, text: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown figure kind {kind!r}")
    print(f"[{kind}] {text}", flush=True)


def measured(text: str) -> None:
    figure(MEASURED, text)


def computed(text: str) -> None:
    figure(COMPUTED, text)


def counted(text: str) -> None:
    figure(COUNTED, text)


def percentile(values, p: float) -> float:
    """Nearest-rank percentile: a value that was actually seen, never an interpolation."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]
