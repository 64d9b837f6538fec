"""The registry behind :mod:`common.data`: names, parameters, hashes, cache.

A data set is a function that returns a NumPy array or a pandas DataFrame and
is registered with :func:`register`. The registry knows

* a one-line summary (shown by :func:`available`), the full documentation
  being the function's docstring (shown by :func:`describe`);
* its parameters, each with a default, a check and a sentence saying what is
  allowed, so that a bad value gets an error that names it;
* the SHA-256 fingerprint of the data produced with the default parameters.

:func:`load` generates a data set once and keeps it in an on-disk cache. Every
read from the cache is verified, so a damaged file is noticed and regenerated
instead of silently giving wrong numbers:

* the cache folder is made private (mode 0700); a folder, or a file in it,
  that belongs to another user or that other users can write is not used
  (a warning says so, and the data is computed);
* each file is sealed with a keyed digest (HMAC-SHA256) of its content and
  of the name, parameters and format it was made for, under a secret key
  kept in the cache folder (``.qbi-cache-key``, mode 0600). A file that was
  changed, renamed, copied from another cache or made by anything but this
  code does not verify, and is regenerated; with the default parameters the
  content must also have the registered SHA-256;
* a folder that cannot be read or written gives a warning, and the data is
  computed in memory;
* temporary files left by a process killed while writing
  (``.qbi-*.npz.<random>.tmp``) are removed once they are stale (see
  :func:`common._files.clean_stale_temporaries`).
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import pathlib
import secrets
import stat
import sys
import tempfile
import warnings
from typing import Any, Callable

import numpy as np
import pandas as pd

from .._files import clean_stale_temporaries, write_atomically

#: Environment variable that moves the on-disk cache of generated data.
CACHE_ENV = "QBI_DATA_CACHE"

# Bump when the cache file layout changes (not when a data set changes: a
# data set's own fingerprint is part of its cache key). 2: keyed seal.
_CACHE_FORMAT = 2
#: The cache's secret key (inside the cache folder).
KEY_FILE = ".qbi-cache-key"
# Final names of the cache's own files (for cleaning their temporaries).
_CACHE_FILES = r"qbi-.+\.npz|\.qbi-cache-key"


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
        # Only a tuple or a list: tuple() would take a dict's keys, a string's
        # characters, a set in any order.
        if not isinstance(value, (tuple, list)):
            raise ValueError(f"shape must be {allowed}, got {value!r} "
                             f"(a {type(value).__name__})")
        values = tuple(value)
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


class _Untrusted(Exception):
    """A cache folder or file this process must not use; the message says why."""


def _owner_problem(info: os.stat_result, what: str) -> str | None:
    """Why a file or folder with ``info`` is not trusted, or ``None``."""
    if not hasattr(os, "geteuid"):  # no POSIX owners (Windows)
        return None
    if info.st_uid != os.geteuid():
        return f"{what} belongs to another user (uid {info.st_uid})"
    if info.st_mode & 0o022:
        return (f"other users can write {what} (mode {stat.S_IMODE(info.st_mode):04o}); "
                f"`chmod go-w` it to use it")
    return None


def _open_cache(folder: pathlib.Path) -> pathlib.Path:
    """Make (mode 0700) and check the cache folder; raise ``_Untrusted`` or ``OSError``."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as err:
        raise OSError(err.errno, f"cannot write the data cache in {folder} "
                                 f"({err.strerror or err})") from None
    info = os.stat(folder)
    if not stat.S_ISDIR(info.st_mode):
        raise _Untrusted(f"{folder} is not a folder")
    problem = _owner_problem(info, "the folder")
    if problem:
        raise _Untrusted(problem)
    if not os.access(folder, os.R_OK | os.X_OK):
        raise PermissionError(13, f"cannot read the data cache in {folder} (permission denied)")
    return folder


def _read_key(path: pathlib.Path) -> bytes | None:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode) or _owner_problem(info, "the key"):
        return None
    text = path.read_text().strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        return None
    return key if len(key) == 32 else None


def _cache_key(folder: pathlib.Path) -> bytes:
    """The secret key of the cache in ``folder``, made on first use (mode 0600)."""
    path = folder / KEY_FILE
    key = _read_key(path)
    if key is not None:
        return key
    new = secrets.token_bytes(32)
    fd, tmp = tempfile.mkstemp(prefix=f".{KEY_FILE}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(new.hex() + "\n")
        if os.path.lexists(path):  # a damaged or foreign key: replace it
            os.replace(tmp, path)
            return new
        try:
            os.link(tmp, path)        # atomic, and never over another process's key
        except FileExistsError:
            pass
        except OSError:               # no hard links on this file system
            os.replace(tmp, path)
            return new
    finally:
        pathlib.Path(tmp).unlink(missing_ok=True)
    key = _read_key(path)
    if key is None:
        raise _Untrusted(f"its key {path} cannot be used")
    return key


def _seal(key: bytes, name: str, digest: str) -> str:
    """The keyed digest of a cache file: its name (data set, parameters,
    format) and its content's fingerprint."""
    return hmac.new(key, f"{name}|{digest}".encode(), hashlib.sha256).hexdigest()


def _save(path: pathlib.Path, data, seal: str) -> None:
    arrays: dict[str, np.ndarray] = {"__seal__": np.array(seal)}
    if isinstance(data, np.ndarray):
        arrays["__kind__"] = np.array("ndarray")
        arrays["data"] = data
    else:
        arrays["__kind__"] = np.array("DataFrame")
        columns = _columns(data)
        arrays["__columns__"] = np.array([c for c, _ in columns])
        for i, (_, values) in enumerate(columns):
            arrays[f"col{i}"] = values
    # Nothing but our own cache file is ever replaced, and never half-written;
    # never writable by others (a umask of 002 would make it so).
    write_atomically(path, lambda handle: np.savez(handle, **arrays), binary=True,
                     mode=0o644)


def _read(path: pathlib.Path):
    """``(data, seal)`` of a cache file; raises ``_Untrusted`` for a file not ours."""
    if os.path.islink(path):
        raise _Untrusted("it is not a regular file")
    # The checks look at the file that was opened (a link put in its place
    # meanwhile is refused by O_NOFOLLOW), and the file is always closed.
    # O_NONBLOCK: opening a named pipe put there would otherwise wait for a writer.
    flags = os.O_RDONLY
    for name in ("O_NOFOLLOW", "O_NONBLOCK", "O_BINARY"):
        flags |= getattr(os, name, 0)
    fd = os.open(path, flags)
    with open(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Untrusted("it is not a regular file")
        problem = _owner_problem(info, "it")
        if problem:
            raise _Untrusted(problem)
        return _unpack(handle)


def _unpack(handle):
    with np.load(handle, allow_pickle=False) as stored:
        kind = str(stored["__kind__"])
        seal = str(stored["__seal__"])
        if kind == "ndarray":
            data = stored["data"]
        elif kind == "DataFrame":
            columns = [str(c) for c in stored["__columns__"]]
            data = pd.DataFrame({c: stored[f"col{i}"] for i, c in enumerate(columns)})
        else:
            raise ValueError(f"unknown kind {kind!r}")
    return data, seal


def _generate(ds: Dataset, values: dict[str, Any]):
    data = ds.generator(**values)
    if isinstance(data, pd.DataFrame):
        data = data.reset_index(drop=True)
    elif not isinstance(data, np.ndarray):
        raise TypeError(f"generator of {ds.name!r} returned {type(data).__name__}")
    return data


def _in_memory(message: str) -> None:
    warnings.warn(f"{message}; the data is computed in memory only. Set {CACHE_ENV} to a "
                  "folder of your own, that only you can write, to keep it between sessions.",
                  RuntimeWarning, stacklevel=3)


def load(name: str, *, cache: bool = True, **params):
    """Return data set ``name`` (a NumPy array or a pandas DataFrame).

    Parameters other than ``cache`` are the data set's own (see
    :func:`describe`). With ``cache=True`` the data is read from the on-disk
    cache (see :func:`cache_dir`) when a valid copy is there, else generated
    and stored; ``cache=False`` neither reads nor writes it. A cache file
    that does not verify (see the module doc: damaged, changed, not made by
    this cache, or writable by others) is regenerated with a warning; a
    cache folder that cannot be read or written, or that is not private to
    this user, gives a warning and the data is computed in memory.
    """
    ds = get(name)
    if not isinstance(cache, (bool, np.bool_)):
        raise ValueError(f"cache must be True or False, got {cache!r}")
    values = _normalise(ds, params)
    expected = ds.sha256 if values == ds.defaults() else None
    if not cache:
        return _generate(ds, values)

    folder = cache_dir()
    file_name = _cache_name(ds, values)
    path = folder / file_name
    try:
        _open_cache(folder)
        key = _cache_key(folder)
    except _Untrusted as why:
        _in_memory(f"the data cache in {folder} is not used: {why}")
        return _checked(ds, _generate(ds, values), expected)
    except OSError as err:
        text = err.strerror or str(err)
        _in_memory(text if str(folder) in text else
                   f"cannot use the data cache in {folder} ({text})")
        return _checked(ds, _generate(ds, values), expected)

    reason = None
    try:
        data, seal = _read(path)
    except FileNotFoundError:
        pass
    except _Untrusted as why:
        reason = f"it is not trusted: {why}"
    except Exception as err:  # truncated zip, missing member, bad header, no permission...
        reason = f"it cannot be read ({type(err).__name__}: {err})"
    else:
        actual = fingerprint(data)
        if (hmac.compare_digest(seal, _seal(key, file_name, actual))
                and (expected is None or actual == expected)):
            return data
        reason = ("its content does not match its seal (changed, damaged, or not made by "
                  "this cache)")
    if reason:
        warnings.warn(f"data cache file {path} is damaged ({reason}); regenerating it",
                      RuntimeWarning, stacklevel=2)

    data = _generate(ds, values)
    digest = fingerprint(data)
    _checked(ds, data, expected, digest)
    clean_stale_temporaries(folder, _CACHE_FILES)   # leftovers of killed writers
    try:
        _save(path, data, _seal(key, file_name, digest))
    except OSError as err:
        warnings.warn(
            f"cannot write the data cache in {path.parent} ({err}); the data is "
            f"computed in memory only. Set {CACHE_ENV} to a writable folder to "
            "keep it between sessions.", RuntimeWarning, stacklevel=2)
    return data


def _checked(ds: Dataset, data, expected: str | None, digest: str | None = None):
    """Warn when the default data differ from the registered SHA-256."""
    if expected is not None:
        digest = digest or fingerprint(data)
        if digest != expected:
            warnings.warn(
                f"data set {ds.name!r} generated on this machine has SHA-256 {digest}, "
                f"not the registered {expected}: numbers may differ from the book's",
                RuntimeWarning, stacklevel=3)
    return data
