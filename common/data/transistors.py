"""The processor table of Moore's law: transistor counts, clocks and cores.

Chapter 7 (parallel computing) fits Moore's law to these 13 processors and
the first exercise sheet fits it again by least squares, so the table lives
here, once. Unlike the other data sets it is not simulated: it lists
published figures of real chips, so it has no imaging model, no seed and no
parameters.

The course's lecture took its 13 rows from a public gist (Humberto Ortiz,
``gist.github.com/humberto-ortiz/de4b3a621602b78bf90d``). Several of them
paired a chip with the year or the clock of another version of it (a
14 MHz 6502 in 1975; the 37-million-transistor, 1.4 GHz Athlon in 1999; the
243-million-transistor dual-core Athlon 64 X2 as the single-core Athlon 64
of 2003). Here every row is one product, and the year, the transistor count
of its die, its base clock and its number of cores all belong to that
product.
"""
from __future__ import annotations

import pandas as pd

from ._registry import register

#: (processor, year it was first sold, transistors in thousands, base clock
#: in MHz, cores)
PROCESSORS = (
    ("MOS 6502", 1975, 3.51, 1, 1),
    ("Intel 8086", 1978, 29, 5, 1),
    ("MIPS R3000", 1988, 115, 33, 1),
    ("AMD Am486DX-40", 1993, 1_200, 40, 1),
    ("NexGen Nx586-P90", 1994, 3_500, 84, 1),
    ("AMD Athlon (Thunderbird)", 2001, 37_000, 1_400, 1),
    ("Intel Pentium III-S (Tualatin)", 2001, 44_000, 1_400, 1),
    ("IBM PowerPC 970FX", 2004, 58_000, 2_500, 1),
    ("AMD Athlon 64 X2 4800+", 2005, 243_000, 2_400, 2),
    ("Intel Core 2 Duo E8600", 2008, 410_000, 3_330, 2),
    ("AMD Phenom X4 9950", 2008, 450_000, 2_600, 4),
    ("Intel Core i7-980X", 2010, 1_170_000, 3_330, 6),
    ("Intel Core i5-2500K", 2011, 995_000, 3_300, 4),
)

#: Column names of the table, in order.
COLUMNS = ("processor", "year", "transistors_k", "clock_MHz", "cores")


@register("processors",
          "13 processors from 1975 to 2011: year, transistors (thousands), clock (MHz), cores",
          sha256="7b09910d32af3936f06ddbf45bbd99c133e5187c693e2920436ae9a967ed2053")
def processors() -> pd.DataFrame:
    """Thirteen processors from 1975 to 2011, for fitting Moore's law.

    What it holds
        One row per product: its name (``processor``), the year it was first
        sold (``year``), the number of transistors on its die in thousands
        (``transistors_k``, float), its base clock frequency in MHz
        (``clock_MHz``, integer; later chips run faster for short bursts) and
        its number of cores (``cores``, integer).

    Where it comes from
        Published figures of real chips: transistor counts and years as in
        Wikipedia's list "Transistor count" and the chips' data sheets and
        reviews; clocks and cores of the named product. The course's lecture
        used a table from a public gist with several rows that mixed two
        versions of a chip; those rows are corrected here (see the module's
        documentation). Not simulated: there is no seed and no ground truth
        beyond the table.

    Where the values are approximate
        - MOS 6502: 3,510 counts the switching transistors; with the 1,018
          depletion-mode pull-ups of its NMOS logic the chip has 4,528.
        - MIPS R3000: sold at 20, 25 and 33 MHz; the 33 MHz grade may have
          come a year after the 1988 launch.
        - AMD Am486DX-40: AMD's version of Intel's 486; 1.2 million is the
          rounded count (1.18 million) of Intel's design.
        - NexGen Nx586-P90: the Nx586 was announced in 1994 at 60-66 MHz;
          the versions sold that year were the P80 and P90 (75 and 84 MHz),
          faster grades (to 111 MHz) followed.
        - AMD Athlon (Thunderbird): the design came out in 2000 at up to
          1 GHz, the 1.4 GHz version in 2001.
        - Intel Pentium III-S (Tualatin): its versions came out from mid-2001
          to early 2002, the 1.4 GHz one among the last.
        - AMD Athlon 64 X2 4800+: 243 million is the figure of the usual
          transistor-count lists; reviews of its Toledo die give 233 million.

    What it shows
        Transistor counts double about every two years over the whole
        period; the clock frequency grows too, a little more slowly, until
        about 2004 and then hardly at all, while the number of cores starts
        to grow.
    """
    frame = pd.DataFrame(list(PROCESSORS), columns=list(COLUMNS))
    return frame.astype({"year": "int64", "transistors_k": "float64",
                         "clock_MHz": "int64", "cores": "int64"})

