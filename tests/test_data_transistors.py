"""The processor table (common/data/transistors.py): one product per row, with
the year, transistor count, clock and cores of that product."""
import numpy as np
import pandas as pd
import pytest

import common.data as data


@pytest.fixture(scope="module")
def table():
    return data.load("processors", cache=False)


def row(table, name):
    found = table[table["processor"] == name]
    assert len(found) == 1, f"{name!r} is not one row of the table"
    return found.iloc[0]


def test_columns_and_types(table):
    assert list(table.columns) == ["processor", "year", "transistors_k", "clock_MHz", "cores"]
    assert [str(t) for t in table.dtypes[1:]] == ["int64", "float64", "int64", "int64"]
    assert table["processor"].is_unique and len(table) == 13


def test_rows_in_the_order_of_their_year(table):
    assert table["year"].is_monotonic_increasing
    assert table["year"].between(1971, 2011).all()


def test_values_in_plausible_ranges(table):
    # a first-generation microprocessor has thousands of transistors, a 2011
    # desktop chip about a billion; no desktop chip ran above 4 GHz base clock
    assert table["transistors_k"].between(2, 3e6).all()
    assert table["clock_MHz"].between(1, 4000).all()
    assert table["cores"].between(1, 8).all()


def test_the_rows_the_review_found_wrong(table):
    # issue 10, item 13: the 6502 ran at 1 MHz in 1975; the 37-million
    # transistor Athlon at 1.4 GHz is of 2000-01; 243 million transistors is
    # the dual-core Athlon 64 X2 of 2005
    mos = row(table, "MOS 6502")
    assert (mos["year"], mos["clock_MHz"], mos["transistors_k"]) == (1975, 1, 3.51)
    athlon = table[table["transistors_k"] == 37_000].iloc[0]
    assert athlon["processor"].startswith("AMD Athlon") and athlon["year"] in (2000, 2001)
    assert athlon["clock_MHz"] == 1400
    x2 = table[table["transistors_k"] == 243_000].iloc[0]
    assert x2["processor"].startswith("AMD Athlon 64 X2")
    assert (x2["year"], x2["cores"]) == (2005, 2)


def test_one_core_until_2004_then_several(table):
    # the point chapter 7 makes: the clock stalls, the cores grow
    before = table[table["year"] < 2005]
    after = table[table["year"] >= 2005]
    assert (before["cores"] == 1).all()
    assert (after["cores"] >= 2).all()


def test_documentation_says_where_values_are_approximate():
    doc = data.describe("processors")
    assert "Where the values are approximate" in doc
    for name in ("MOS 6502", "MIPS R3000", "AMD Athlon 64 X2 4800+"):
        assert name in doc


def test_a_copy_not_the_module_constant():
    # changing a loaded table must not change the next load
    table = data.load("processors", cache=False)
    table.loc[0, "year"] = 1900
    fresh = data.load("processors", cache=False)
    assert fresh.loc[0, "year"] == 1975
    assert isinstance(fresh, pd.DataFrame) and np.issubdtype(fresh["year"].dtype, np.integer)
