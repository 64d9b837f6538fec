"""The registry behind :mod:`common.data`: names, parameters, hashes, cache.

A data set is a function that returns a NumPy array or a pandas DataFrame and
is registered with :func:`register`. The registry knows

* a one-line summary (shown by :func:`available`), the full documentation
  being the function's docstring (shown by :func:`describe`);
* its parameters, each with a default, a check and a sentence saying what is
  allowed, so that a bad value gets an error that names it;
* the SHA-256 fingerprint of the data produced with the default parameters.

:func:`load` generates a data set once and keeps it in an on-disk cache. Every
read from the cache is verified against the fingerprint, so a damaged file is
noticed and regenerated instead of silently giving wrong numbers.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pathlib
import sys
import warnings
from typing import Any, Callable

import numpy as np
import pandas as pd

from .._files import write_atomically

#: Environment variable that moves the on-disk cache of generated data.
CACHE_ENV = "QBI_DATA_CACHE"

# Bump when the cache file layout changes (not when a data set changes: a
# data set's own fingerprint is part of its cache key).
_CACHE_FORMAT = 1


class UnknownDatasetError(KeyError):
    """Raised by :func:`load` and :func:`describe` for a name not registered."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0])


@dataclasses.dataclass(frozen=True)
class Param:
    """One parameter of a data set generator.

    ``check(value)`` returns the normalised value or raises ``ValueError``;
    ``allowed`` says in words what values are accepted.
    """

    name: str
    default: Any
    allowed: str
    check: Callable[[Any], Any]


@dataclasses.dataclass(frozen=True)
class Dataset:
    name: str
    summary: str
    sha256: str
    params: tuple[Param, ...]
    generator: Callable[..., Any]

    @property
    def doc(self) -> str:
        return (self.generator.__doc__ or self.summary).strip()

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}


_REGISTRY: dict[str, Dataset] = {}


# --------------------------------------------------------------------------
# parameter checks shared by the generators
# --------------------------------------------------------------------------
def seed_param(default: int = 0) -> Param:
    """The ``seed`` parameter: any integer from 0 to 2**32 - 1."""

    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(
                f"seed must be an integer from 0 to 4294967295, got {value!r}"
            )
        if not 0 <= int(value) < 2**32:
            raise ValueError(
                f"seed must be an integer from 0 to 4294967295, got {value!r}"
            )
        return int(value)

    return Param("seed", default, "an integer from 0 to 4294967295", check)


def shape_param(default: tuple[int, ...], low: int, high: int) -> Param:
    """A ``shape`` parameter: a tuple of len(default) integers in [low, high]."""
    n = len(default)
    allowed = f"a tuple of {n} integers, each from {low} to {high}"

    def check(value):
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(f"shape must be {allowed}, got {value!r}") from None
        ok = len(values) == n and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool)
            and low <= int(v) <= high
            for v in values
        )
        if not ok:
            raise ValueError(f"shape must be {allowed}, got {value!r}")
        return tuple(int(v) for v in values)

    return Param("shape", tuple(default), allowed, check)


def int_param(name: str, default: int, low: int, high: int) -> Param:
    """An integer parameter in [low, high]."""
    allowed = f"an integer from {low} to {high}"

    def check(value):
        if (isinstance(value, bool) or not isinstance(value, (int, np.integer))
                or not low <= int(value) <= high):
            raise ValueError(f"{name} must be {allowed}, got {value!r}")
        return int(value)

    return Param(name, default, allowed, check)


def float_param(name: str, default: float, low: float, high: float) -> Param:
    """A real parameter in [low, high]."""
    allowed = f"a number from {low} to {high}"

    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ValueError(f"{name} must be {allowed}, got {value!r}")
        if not (low <= float(value) <= high):
            raise ValueError(f"{name} must be {allowed}, got {value!r}")
        return float(value)

    return Param(name, default, allowed, check)


# --------------------------------------------------------------------------
# registration and look-up
# --------------------------------------------------------------------------
def register(name: str, summary: str, sha256: str, params: tuple[Param, ...] = ()):
    """Decorator: register ``func`` as the generator of data set ``name``.

    ``sha256`` is the :func:`fingerprint` of ``func(**defaults)``; a unit test
    checks it, so a change to a generator that changes its data must update
    it (and every chapter that quotes its numbers).
    """
    if "\n" in summary:
        raise ValueError("the summary of a data set must be one line")

    def decorate(func):
        if name in _REGISTRY:
            raise ValueError(f"data set {name!r} is registered twice")
        _REGISTRY[name] = Dataset(name, summary, sha256, tuple(params), func)
        return func

    return decorate


def names() -> list[str]:
    """The registered data set names, sorted."""
    return sorted(_REGISTRY)


def available() -> dict[str, str]:
    """Every data set name with its one-line description, sorted by name."""
    return {name: _REGISTRY[name].summary for name in names()}


def get(name: str) -> Dataset:
    """The :class:`Dataset` record of ``name`` (raises for unknown names)."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        valid = ", ".join(names())
        raise UnknownDatasetError(
            f"unknown data set {name!r}; valid names are: {valid}"
        ) from None


def describe(name: str) -> str:
    """The full documentation of a data set, with its parameters."""
    ds = get(name)
    lines = [ds.doc, "", "Parameters of load():"]
    if ds.params:
        lines += [f"  {p.name} = {p.default!r}: {p.allowed}" for p in ds.params]
    else:
        lines.append("  none")
    return "\n".join(lines)


def _normalise(ds: Dataset, kwargs: dict[str, Any]) -> dict[str, Any]:
    known = {p.name: p for p in ds.params}
    unknown = sorted(set(kwargs) - set(known))
    if unknown:
        allowed = ", ".join(known) if known else "none"
        raise TypeError(
            f"data set {ds.name!r} has no parameter {unknown[0]!r}; "
            f"its parameters are: {allowed}"
        )
    values = ds.defaults()
    for key, value in kwargs.items():
        values[key] = known[key].check(value)
    return values


# --------------------------------------------------------------------------
# fingerprints
# --------------------------------------------------------------------------
def _feed_array(h, array: np.ndarray) -> None:
    array = np.ascontiguousarray(array)
    if array.dtype.kind == "O":
        array = array.astype(str)
    # Little-endian everywhere, so the bytes do not depend on the machine.
    array = array.astype(array.dtype.newbyteorder("<"), copy=False)
    h.update(f"{array.dtype.str}|{array.shape}|".encode())
    h.update(array.tobytes())


def _columns(frame: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
    out = []
    for column in frame.columns:
        values = frame[column]
        if values.dtype.kind in "biuf":
            out.append((str(column), values.to_numpy()))
        else:  # strings (object or pandas' string dtype): fixed-width unicode
            out.append((str(column), values.to_numpy().astype(str)))
    return out


def fingerprint(data: np.ndarray | pd.DataFrame) -> str:
    """SHA-256 of the data: dtype, shape and bytes (per column for a table)."""
    h = hashlib.sha256()
    if isinstance(data, np.ndarray):
        h.update(b"ndarray|")
        _feed_array(h, data)
    elif isinstance(data, pd.DataFrame):
        h.update(b"DataFrame|")
        for column, values in _columns(data):
            h.update(f"{column}|".encode())
            _feed_array(h, values)
    else:
        raise TypeError(f"cannot fingerprint {type(data).__name__}; "
                        "a data set must be a NumPy array or a pandas DataFrame")
    return h.hexdigest()


# --------------------------------------------------------------------------
# the on-disk cache
# --------------------------------------------------------------------------
def cache_dir() -> pathlib.Path:
    """Folder of the data cache: ``$QBI_DATA_CACHE`` or the user's cache."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return pathlib.Path(env).expanduser()
    home = pathlib.Path.home()
    if sys.platform == "win32":
        base = pathlib.Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = home / "Library" / "Caches"
    else:
        base = pathlib.Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    return base / "qbi-book" / "data"


def cache_path(name: str, **params) -> pathlib.Path:
    """Where ``load(name, **params)`` keeps its data on disk."""
    ds = get(name)
    values = _normalise(ds, params)
    return cache_dir() / _cache_name(ds, values)


def _cache_name(ds: Dataset, values: dict[str, Any]) -> str:
    key = json.dumps({"format": _CACHE_FORMAT, "sha256": ds.sha256,
                      "params": {k: list(v) if isinstance(v, tuple) else v
                                 for k, v in sorted(values.items())}},
                     sort_keys=True)
    return f"qbi-{ds.name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npz"


def _save(path: pathlib.Path, data, digest: str) -> None:
    arrays: dict[str, np.ndarray] = {"__digest__": np.array(digest)}
    if isinstance(data, np.ndarray):
        arrays["__kind__"] = np.array("ndarray")
        arrays["data"] = data
    else:
        arrays["__kind__"] = np.array("DataFrame")
        columns = _columns(data)
        arrays["__columns__"] = np.array([c for c, _ in columns])
        for i, (_, values) in enumerate(columns):
            arrays[f"col{i}"] = values
    path.parent.mkdir(parents=True, exist_ok=True)
    # Nothing but our own cache file is ever replaced, and never half-written.
    write_atomically(path, lambda handle: np.savez(handle, **arrays), binary=True)


def _read(path: pathlib.Path):
    with np.load(path, allow_pickle=False) as stored:
        kind = str(stored["__kind__"])
        digest = str(stored["__digest__"])
        if kind == "ndarray":
            data = stored["data"]
        elif kind == "DataFrame":
            columns = [str(c) for c in stored["__columns__"]]
            data = pd.DataFrame({c: stored[f"col{i}"] for i, c in enumerate(columns)})
        else:
            raise ValueError(f"unknown kind {kind!r}")
    return data, digest


def _generate(ds: Dataset, values: dict[str, Any]):
    data = ds.generator(**values)
    if isinstance(data, pd.DataFrame):
        data = data.reset_index(drop=True)
    elif not isinstance(data, np.ndarray):
        raise TypeError(f"generator of {ds.name!r} returned {type(data).__name__}")
    return data


def load(name: str, *, cache: bool = True, **params):
    """Return data set ``name`` (a NumPy array or a pandas DataFrame).

    Parameters other than ``cache`` are the data set's own (see
    :func:`describe`). With ``cache=True`` the data is read from the on-disk
    cache (see :func:`cache_dir`) when a valid copy is there, else generated
    and stored. A cache file whose content does not match its SHA-256 is
    regenerated; a cache folder that cannot be written gives a warning and the
    data is computed in memory.
    """
    ds = get(name)
    values = _normalise(ds, params)
    expected = ds.sha256 if values == ds.defaults() else None
    if not cache:
        return _generate(ds, values)

    path = cache_dir() / _cache_name(ds, values)
    if path.exists():
        try:
            data, digest = _read(path)
            actual = fingerprint(data)
            if actual == digest and (expected is None or actual == expected):
                return data
            reason = "its content does not match its SHA-256"
        except Exception as err:  # truncated zip, missing member, bad header...
            reason = f"it cannot be read ({type(err).__name__}: {err})"
        warnings.warn(f"data cache file {path} is damaged ({reason}); "
                      "regenerating it", RuntimeWarning, stacklevel=2)

    data = _generate(ds, values)
    digest = fingerprint(data)
    if expected is not None and digest != expected:
        warnings.warn(
            f"data set {name!r} generated on this machine has SHA-256 {digest}, "
            f"not the registered {expected}: numbers may differ from the book's",
            RuntimeWarning, stacklevel=2)
    try:
        _save(path, data, digest)
    except OSError as err:
        warnings.warn(
            f"cannot write the data cache in {path.parent} ({err}); the data is "
            f"computed in memory only. Set {CACHE_ENV} to a writable folder to "
            "keep it between sessions.", RuntimeWarning, stacklevel=2)
    return data
