"""The fault matrix, one test per cell: operation × fault kind against the local Amazon over HTTP.

The cells and what each must end in live in tests/fault_matrix.py, shared with
bench/faults.py, which prints the same matrix as the README's table. Below the
transport faults: bad data from Amazon (malformed orders, impossible quantities,
a repeated page token, an overlap of more than 20 pages after a restart).
"""
from __future__ import annotations

import pytest

import fault_matrix as fm


def _params():
    for row, kind in fm.cells():
        gap = fm.KNOWN_GAPS.get((row.operation, kind))
        marks = [pytest.mark.xfail(reason=gap, strict=True, raises=AssertionError)] if gap else []
        yield pytest.param(row, kind, id=fm.cell_id(row, kind), marks=marks)


@pytest.mark.parametrize("row,kind", list(_params()))
def test_fault_cell(row, kind, tmp_path, sim_sandbox, sim_clock):
    result = fm.run_cell(row, kind, tmp_path, sim_sandbox, sim_clock)
    assert result.outcome == fm.expected(row, kind)
    if result.outcome == "stopped":
        assert result.message, "a stopped sync must leave a message for the shop staff"


def test_every_operation_the_plugin_calls_is_in_the_matrix():
    from flask_amazon_tr.sandbox.dispatch import OPERATION_ROLES

    # operations the plugin never calls
    probes_or_unused = {"deleteListingsItem"}
    covered = {row.operation for row in fm.ROWS}
    assert set(OPERATION_ROLES) - probes_or_unused <= covered
    assert {"uploadFeedDocument", "downloadFeedDocument", "lwaToken"} <= covered


@pytest.mark.parametrize("kind", sorted(fm.BAD_DATA))
def test_bad_data_from_amazon(kind, tmp_path, sim_sandbox, sim_clock):
    result = fm.run_bad_data_case(kind, tmp_path, sim_sandbox, sim_clock)
    assert result.outcome in fm.BAD_DATA_TEXT
    assert result.outcome != "stopped" or result.message
