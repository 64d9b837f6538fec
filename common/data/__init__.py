"""The book's data sets, generated deterministically and cached on disk.

>>> import common.data as data
>>> data.available()          # every name with a one-line description
>>> print(data.describe("bone_slice"))   # shape, dtype, axes, units, truth
>>> img = data.load("bone_slice")

Every data set is made by a documented generator from a fixed seed, so it has
the same bytes on every call and every machine; its SHA-256 is registered and
checked by the unit tests. Generated data is cached under
:func:`cache_dir` (``$QBI_DATA_CACHE`` moves it). A damaged cache file is
detected by its hash and regenerated; an unwritable cache folder only costs a
warning.

Adding a data set: write a generator in a module of this package, decorate it
with :func:`register` (name, one-line summary, SHA-256, parameters) and import
the module below.
"""
from ._registry import (  # noqa: F401
    CACHE_ENV,
    Dataset,
    Param,
    UnknownDatasetError,
    available,
    cache_dir,
    cache_path,
    describe,
    fingerprint,
    get,
    load,
    names,
    register,
)

# Data set modules register themselves on import.
from . import bone  # noqa: F401,E402
from . import bone_cells  # noqa: F401,E402
from . import wood  # noqa: F401,E402
from . import ct_bone  # noqa: F401,E402
from . import ct_sinogram  # noqa: F401,E402
from . import micrograph  # noqa: F401,E402
from . import cohort  # noqa: F401,E402
from . import transistors  # noqa: F401,E402
from . import patterns  # noqa: F401,E402
from . import neutron  # noqa: F401,E402
from . import scroll  # noqa: F401,E402
from . import aggregate  # noqa: F401,E402
from . import roots  # noqa: F401,E402

__all__ = ["available", "describe", "load", "names", "cache_dir", "cache_path",
           "fingerprint", "CACHE_ENV", "UnknownDatasetError"]
