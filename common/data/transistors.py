"""The processor table of Moore's law: transistor counts and clock frequencies.

Chapter 7 (parallel computing) fits Moore's law to these 13 processors and
the first exercise sheet fits it again by least squares, so the table lives
here, once. Unlike the other data sets it is not simulated: it lists
published figures of real chips (the values the course's lecture used), so
it has no imaging model, no seed and no parameters.
"""
from __future__ import annotations

import pandas as pd

from ._registry import register

#: (processor, year of introduction, transistors in thousands, clock in MHz)
PROCESSORS = (
    ("MOS 65xx", 1975, 3.51, 14),
    ("Intel 8086", 1978, 29, 10),
    ("MIPS R3000", 1988, 120, 33),
    ("AMD Am486", 1993, 1_200, 40),
    ("NexGen Nx586", 1994, 3_500, 111),
    ("AMD Athlon", 1999, 37_000, 1_400),
    ("Intel Pentium III", 1999, 44_000, 1_400),
    ("PowerPC 970", 2002, 58_000, 2_500),
    ("AMD Athlon 64", 2003, 243_000, 2_800),
    ("Intel Core 2 Duo", 2006, 410_000, 3_330),
    ("AMD Phenom", 2007, 450_000, 2_600),
    ("Intel Core i7", 2008, 1_170_000, 3_460),
    ("Intel Core i5", 2009, 995_000, 3_600),
)

#: Column names of the table, in order.
COLUMNS = ("processor", "year", "transistors_k", "clock_MHz")


@register("processors",
          "13 processors from 1975 to 2009: year, transistors (thousands), clock (MHz)",
          sha256="b99103b1434228fcc09f211bcbef8d925466fc3378be53c85e34ab9a7f2d36ae")
def processors() -> pd.DataFrame:
    """Thirteen processors from 1975 to 2009, for fitting Moore's law.

    What it holds
        One row per chip: its name (``processor``), the year it was
        introduced (``year``), its number of transistors in thousands
        (``transistors_k``, float) and its clock frequency in MHz
        (``clock_MHz``, integer).

    Where it comes from
        Published figures of real chips, as used by the course's lecture; not
        simulated, so there is no seed and no ground truth beyond the table.
        Transistor counts double about every 22 months over these years, while
        the clock frequency stops growing after about 2003.
    """
    frame = pd.DataFrame(list(PROCESSORS), columns=list(COLUMNS))
    return frame.astype({"year": "int64", "transistors_k": "float64",
                         "clock_MHz": "int64"})
