"""Run the bone study on a whole cohort with dask.distributed.

One sample is one task: generate the volume (:class:`common.data.cohort.Cohort`),
analyse it (:func:`common.analysis.analyse`), compare it with its truth, and
return one small record. :func:`run_study` sends these tasks to a cluster and
writes each record to its own file as soon as it arrives, so that

* a run that is interrupted (a crash, a killed job, a closed laptop) loses
  only the samples that were being computed at that moment; run it again
  with the same folder and it computes only the samples that have no file
  yet;
* a larger cohort with the same seed reuses the samples already done (sample
  ``i`` does not depend on the cohort's size).

Where it runs
    :func:`start_client` starts a local cluster on this computer (one worker
    process per core, one thread each, a memory limit per worker), or, given
    the address of a running dask scheduler (argument ``address`` or the
    environment variable ``QBI_DASK_SCHEDULER``), connects to that cluster
    instead. The same code then runs on a laptop and on a cluster of many
    machines; on a cluster, every worker must have this book's ``common``
    package installed (the records travel back to the client, which alone
    writes the files, so the workers need no shared disk).

    Every wait is bounded: connecting to a scheduler gives up after
    ``timeout`` seconds (also when the address is some other program, such
    as the dashboard's web server), and a study whose scheduler has no
    workers for ``worker_timeout`` seconds stops, saying so.

Who can reach it
    A local cluster listens on 127.0.0.1 only (scheduler, workers and the
    dashboard), so nobody else on the network can watch it or send it work:
    dask's ports have no password. To look at the dashboard of a cluster on
    another machine (a server, a cluster's login node), forward its port
    through SSH instead of opening it to the network::

        ssh -N -L 8787:127.0.0.1:8787 you@that-machine

    and open http://127.0.0.1:8787/status here (use the port of
    ``client.dashboard_link`` on that machine). A scheduler you start
    yourself on a cluster must listen where its workers can reach it; start
    it with ``--dashboard-address 127.0.0.1:8787`` and forward the dashboard
    the same way, and run it only on a network you trust (or with TLS).

The output folder
    By default (:func:`results_folder`) a folder of its own for each study
    (cohort seed and shape, settings, task; not the number of samples) in
    the user's cache, ``~/.cache/qbi-book/study/`` on Linux, or under the
    folder named by the environment variable ``QBI_STUDY_DIR``
    (:func:`results_root`). It is kept across runs and sessions: running the
    study again, from Python or from the command line, or with a larger
    cohort of the same seed, computes only the samples that have no file
    there yet. Delete it to start afresh.

    One JSON file per sample, ``sample-00042.json``, and ``study.json``,
    which says which cohort and which settings the records belong to. A
    folder that holds results of another study, or sample files without a
    ``study.json``, is refused rather than overwritten; other files in the
    folder are left alone. Each record carries a checksum (``record_sha256``)
    of its content and of the study's settings: a record that was changed
    or damaged, or copied from another study, is not used, but computed
    again (with a warning naming it). The folder is checked for writing
    before anything is computed, and nothing is written to it until the
    cluster is reachable.

    A folder started from the command line can be continued with
    :func:`run_study` from Python, and the other way round: both record the
    task as ``common.study.analyse_sample``.

From the command line::

    python -m common.study [OUTPUT_FOLDER] --samples 96 [--scheduler tcp://host:8786]

(without ``OUTPUT_FOLDER``, the study's folder in the cache, as
:func:`results_folder`, the same one a notebook's ``run_study`` uses by default).

It prints one line and exits with status 2 when the arguments, the folder or
the cluster are wrong, 1 when samples failed, 130 when interrupted.
"""
from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import dataclasses
import hashlib
import json
import logging
import math
import os
import pathlib
import re
import socket
import sys
import threading
import time
import uuid
import warnings
from typing import Callable

import numpy as np
import pandas as pd

from . import analysis
from ._files import clean_stale_temporaries, write_atomically
from .data.cohort import Cohort

#: Environment variable with the address of a running dask scheduler.
SCHEDULER_ENV = "QBI_DASK_SCHEDULER"
#: Name of the file that identifies a study's output folder.
MANIFEST = "study.json"
#: Format of the per-sample files (bump when their content changes).
FORMAT = 3
#: Environment variable: the folder under which studies keep their results
#: by default (:func:`results_root`); unset, the user's cache.
RESULTS_ENV = "QBI_STUDY_DIR"
#: Key of each record's checksum (of its content and of the study's settings).
CHECKSUM = "record_sha256"
#: Where local clusters listen: this computer only.
LOCALHOST = "127.0.0.1"
#: Default seconds to wait for a scheduler to answer (``timeout``).
CONNECT_TIMEOUT = 20.0
#: Default seconds to wait for a cluster to have a worker (``worker_timeout``).
WORKER_TIMEOUT = 60.0
_SAMPLE_FILE = re.compile(r"^sample-(\d{5,})\.json$")
_SAMPLE_NAME = r"sample-\d{5,}\.json"


class SamplesFailedError(RuntimeError):
    """Raised by :func:`run_study` when some samples failed (the others are kept)."""


def sample_file(folder, sample: int) -> pathlib.Path:
    """Path of the result file of ``sample`` in ``folder``."""
    return pathlib.Path(folder) / f"sample-{sample:05d}.json"


# ------------------------------------------------------------------ cluster
def _parse_memory(value) -> int:
    from dask.utils import parse_bytes

    try:
        n = parse_bytes(value) if isinstance(value, str) else value
    except (ValueError, TypeError):
        n = None
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 64 * 2**20:
        raise ValueError('memory_limit must be at least 64 MiB, as bytes or a string like '
                         f'"1GiB" or "500MB", got {value!r}')
    return int(n)


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _check_bool(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _check_seconds(name: str, value) -> float:
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating))
            or not 0 < float(value) <= 86400):
        raise ValueError(f"{name} must be a number of seconds above 0 and at most 86400, got {value!r}")
    return float(value)


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


class _Unresolved(Exception):
    """A host name that does not resolve."""


def _parse_address(address) -> tuple:
    """``(scheme, host, port)`` of a scheduler address (host and port ``None``
    for schemes without them); ``ValueError`` naming the address otherwise."""
    from distributed.comm import registry
    from distributed.comm.addressing import parse_address, parse_host_port

    allowed = "a scheduler address like 'tcp://host:8786'"
    if not isinstance(address, str) or ":" not in address:
        raise ValueError(f"address must be {allowed}, got {address!r}")
    try:
        scheme, location = parse_address(address)
        registry.get_backend(scheme)
        if scheme in ("tcp", "tls", "ws", "wss"):
            host, port = parse_host_port(location)
            if not host:
                raise ValueError("no host")
            return scheme, host, port
    except ValueError as err:
        raise ValueError(f"address must be {allowed}, got {address!r} ({err})") from None
    return scheme, None, None


def check_scheduler(address: str, timeout: float | None = None) -> dict:
    """Check that a dask scheduler answers at ``address``; return its identity.

    The whole exchange (name look-up, connection, dask's handshake, one
    question) must finish within ``timeout`` seconds, so an address that is
    some other program (a web server, such as the dashboard's port) fails
    in bounded time instead of waiting forever for an answer. Raises
    ``ConnectionError`` (nobody there, or not a scheduler) or
    ``TimeoutError`` (no answer in time), with a message that says which.
    ``timeout`` defaults to :data:`CONNECT_TIMEOUT`.
    """
    from distributed.comm import connect
    from distributed.security import Security

    timeout = _check_seconds("timeout", CONNECT_TIMEOUT if timeout is None else timeout)
    scheme, host, port = _parse_address(address)

    async def ask():
        if host is not None:   # a name that does not resolve is not worth retrying
            try:
                await asyncio.get_running_loop().getaddrinfo(host, port)
            except socket.gaierror as err:
                raise _Unresolved(f"the host name {host!r} cannot be resolved "
                                  f"({err.strerror or err})") from None
        # dask's connect retries a refused or unanswered connection until its
        # timeout, but then waits without limit for the handshake: the outer
        # wait_for bounds that, a little later than the connect's own limit.
        comm = await connect(address, timeout=0.8 * timeout,
                             **Security().get_connection_args("client"))
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    outcome: dict = {}

    def run():
        try:
            outcome["answer"] = asyncio.run(asyncio.wait_for(ask(), timeout))
        except BaseException as err:  # noqa: BLE001 - handed to the caller's thread
            outcome["error"] = err

    # A thread of its own: the caller may be inside a running event loop
    # (Jupyter), and the answer must not depend on it.
    thread = threading.Thread(target=run, name="qbi-check-scheduler", daemon=True)
    thread.start()
    thread.join(timeout + 5)
    error = outcome.get("error")
    where = f"the dask scheduler at {address}"
    hint = ("check the address and port (a scheduler listens on tcp://host:8786 by "
            "default; 8787 is its dashboard, a web page)")
    if thread.is_alive() or isinstance(error, (TimeoutError, asyncio.TimeoutError)):
        raise TimeoutError(f"no answer from {where} within {timeout:g} s: something accepts "
                           f"connections there but does not answer as a dask scheduler; "
                           f"{hint}") from None
    if isinstance(error, _Unresolved):
        raise ConnectionError(f"cannot connect to {where}: {error}; {hint}") from None
    if isinstance(error, OSError):
        # dask retries a refused connection until its timeout, then says
        # "Timed out"; other errors of the connection itself are OSErrors too.
        reason = ("nothing accepted the connection" if "Timed out" in str(error)
                  else _one_line(error))
        raise ConnectionError(f"cannot connect to {where} within {timeout:g} s ({reason}); "
                              f"is it running? {hint}") from None
    if error is not None:    # an answer that is not dask's (any error reading it)
        raise ConnectionError(f"something answers at {address}, but not as a dask scheduler "
                              f"(its answer cannot be read: {_one_line(error)}); {hint}") from None
    answer = outcome.get("answer")
    kind = answer.get("type") if isinstance(answer, dict) else None
    if kind != "Scheduler":
        raise ConnectionError(f"{address} answers, but it is a dask {kind or 'program'}, not a "
                              f"scheduler; {hint}")
    return answer


def start_client(address: str | None = None, *, n_workers: int | None = None,
                 threads_per_worker: int = 1, memory_limit="1GiB",
                 processes: bool = True, dashboard: bool = True, trim_memory: bool = False,
                 timeout: float | None = None):
    """A dask ``Client``: on a new local cluster, or on the cluster at ``address``.

    ``client.close()`` (or the end of a ``with study.start_client() as
    client:`` block) closes the client and a local cluster it started; a
    cluster it only connected to keeps running.

    address
        Address of a running scheduler, e.g. ``"tcp://10.0.0.5:8786"``. If
        ``None``, the environment variable ``QBI_DASK_SCHEDULER`` is used;
        if that is unset or empty, a local cluster is started, listening on
        127.0.0.1 only (see the module doc for reaching it from elsewhere).
    n_workers
        Workers of the local cluster; default one per core
        (:func:`default_workers`).
    threads_per_worker
        Threads in each worker. The analysis holds the GIL much of the time,
        so one thread per process is the efficient choice.
    memory_limit
        Memory limit of each worker (``"1GiB"``, ``"500MB"`` or bytes). A
        worker that goes beyond it is restarted, and its tasks run again.
    processes
        ``False`` runs the workers as threads of this process (quick to
        start; for tests and small jobs).
    dashboard
        Serve the local cluster's dashboard (a web page of live plots, on a
        free port: ``client.dashboard_link``); ``False`` starts faster.
    trim_memory
        dask starts its worker processes with ``MALLOC_TRIM_THRESHOLD_``
        set, so that freed memory goes back to the system at once. That
        keeps a worker's memory close to what it holds, but every large
        array is then fresh memory from the system, and the analysis of a
        sample runs about a quarter slower. ``False`` (the default here)
        leaves the C library's own setting; use ``True`` when workers run
        close to their memory limit.
    timeout
        Seconds to wait for the scheduler at ``address`` to answer
        (:func:`check_scheduler`; default :data:`CONNECT_TIMEOUT`, 20 s);
        after that a ``TimeoutError`` or ``ConnectionError`` says what is
        wrong.
    """
    from distributed import Client

    timeout = _check_seconds("timeout", CONNECT_TIMEOUT if timeout is None else timeout)
    processes = _check_bool("processes", processes)
    dashboard = _check_bool("dashboard", dashboard)
    address = address if address is not None else os.environ.get(SCHEDULER_ENV, "")
    if address:
        _parse_address(address)
        check_scheduler(address, timeout)
        return Client(address, timeout=timeout)
    if n_workers is None:
        n_workers = default_workers()
    if isinstance(n_workers, bool) or not isinstance(n_workers, (int, np.integer)) or not 1 <= n_workers <= 1024:
        raise ValueError(f"n_workers must be an integer from 1 to 1024, got {n_workers!r}")
    if (isinstance(threads_per_worker, bool) or not isinstance(threads_per_worker, (int, np.integer))
            or not 1 <= threads_per_worker <= 256):
        raise ValueError(f"threads_per_worker must be an integer from 1 to 256, got {threads_per_worker!r}")
    limit = _parse_memory(memory_limit)
    trim_memory = _check_bool("trim_memory", trim_memory)
    import dask

    environ = {} if trim_memory else {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
    environ.update(_quiet_background())
    with dask.config.set(environ):
        # A client made with cluster arguments owns its LocalCluster and closes it.
        # Scheduler, workers and dashboard listen on this computer only (the
        # dashboard's default address, ":0", would be every interface). TCP
        # also in one process: with dask's in-memory "inproc" the dashboard
        # link would name the machine's network address instead of 127.0.0.1.
        return Client(n_workers=int(n_workers), threads_per_worker=int(threads_per_worker),
                      memory_limit=limit, processes=processes, protocol="tcp",
                      host=LOCALHOST, dashboard_address=f"{LOCALHOST}:0",
                      scheduler_kwargs={"dashboard": dashboard},
                      silence_logs=logging.ERROR)


#: Background work of a local cluster's processes that the study does not use,
#: switched off or slowed down: every process's event-loop tick (every 20 ms
#: by default, to warn about a blocked loop), each worker's statistical
#: profiler (a stack sample every 10 ms, for the dashboard's Profile page) and
#: the disk counters of the system monitor. Idle, the scheduler, nannies and
#: two workers then use about a third of the CPU time they use otherwise;
#: busy, that time would be taken from the analysis. A value the user changed
#: from dask's default (``dask.config.set``, a dask config file) is left
#: alone; for the dashboard's Profile page, start a ``LocalCluster`` yourself.
QUIET_BACKGROUND = {"distributed.admin.tick.interval": "1s",
                    "distributed.worker.profile.enabled": False,
                    "distributed.admin.system-monitor.disk": False,
                    "distributed.admin.system-monitor.interval": "2s"}


def _quiet_background() -> dict:
    """The settings of :data:`QUIET_BACKGROUND` that still have dask's default value."""
    import dask.config
    import distributed  # noqa: F401 - adds distributed's defaults to dask.config.defaults

    defaults = dask.config.merge(*dask.config.defaults)
    return {key: value for key, value in QUIET_BACKGROUND.items()
            if dask.config.get(key, None) == dask.config.get(key, None, config=defaults)}


# ------------------------------------------------------------------- a task
def analyse_sample(spec: dict, sample: int, settings: analysis.Settings) -> dict:
    """Make, analyse and check one sample; returns its record (a flat dict).

    ``spec`` is a cohort's :meth:`~common.data.cohort.Cohort.spec`. The
    record holds the sample's sheet row (``sample``, ``name``, ``age``,
    ``status``, ``group``, planned values), the measured summary
    (:func:`common.analysis.summarise`, keys as there), the same summary of
    the truth table with the prefix ``true_``, and ``seconds`` (wall time),
    ``cpu_seconds`` (CPU time of the worker's process meanwhile: making the
    sample and analysing it), ``worker``.
    """
    start = time.perf_counter()
    cpu_start = time.process_time()
    cohort = Cohort(n_samples=sample + 1, seed=spec["seed"], shape=tuple(spec["shape"]))
    volume = cohort.sample(sample)
    result = analysis.analyse(volume, settings)
    truth = analysis.summarise(cohort.truth(sample), tissue_px=cohort.bone_voxels(sample),
                               ndim=3, voxel_size_um=cohort.voxel_size_um, size="volume_vox")
    record = dict(cohort.info(sample))
    record.update(result.summary)
    record.update({f"true_{key}": value for key, value in truth.items()})
    record["seconds"] = time.perf_counter() - start
    record["cpu_seconds"] = time.process_time() - cpu_start
    record["worker"] = _worker_name()
    return record


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().name)
    except (ImportError, ValueError):
        return "client"


# ---------------------------------------------------------- the output folder
def results_root() -> pathlib.Path:
    """The folder under which studies keep their results unless told otherwise.

    ``$QBI_STUDY_DIR`` (:data:`RESULTS_ENV`) if set; else the user's cache:
    ``$XDG_CACHE_HOME/qbi-book/study`` or ``~/.cache/qbi-book/study`` on
    Linux, ``~/Library/Caches/qbi-book/study`` on macOS,
    ``%LOCALAPPDATA%\\qbi-book\\study`` on Windows. It is kept across
    sessions; the book's own build and tests point ``QBI_STUDY_DIR`` at a
    temporary folder instead, so that each of them starts from nothing.
    """
    env = os.environ.get(RESULTS_ENV, "").strip()
    if env:
        return pathlib.Path(env).expanduser()
    home = pathlib.Path.home()
    if sys.platform == "win32":
        base = pathlib.Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Caches"
    else:
        base = pathlib.Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    return base / "qbi-book" / "study"


def _manifest(cohort: Cohort, settings: analysis.Settings, task: Callable) -> dict:
    """What identifies a study: its ``study.json`` (not the number of samples)."""
    return {"study": "common.study", "format": FORMAT, "cohort": cohort.spec(),
            "settings": settings.as_dict(), "task": _task_name(task)}


def results_folder(cohort: Cohort, settings: analysis.Settings | None = None, *,
                   task: Callable | None = None) -> pathlib.Path:
    """The default output folder of the study of ``cohort`` (see :func:`run_study`).

    One folder per study under :func:`results_root`, named after the
    cohort's seed and shape and a short hash of everything that makes the
    study what it is (the cohort's :meth:`~common.data.cohort.Cohort.spec`,
    the ``settings``, the ``task``, the file format), but not after the
    number of samples: a larger cohort with the same seed finds the samples
    a smaller one computed, and a study with other settings gets a folder
    of its own instead of being refused. Nothing is created here.
    """
    settings = analysis.BONE_VOLUME if settings is None else settings
    task = analyse_sample if task is None else task
    if not isinstance(cohort, Cohort):
        raise TypeError(f"cohort must be a common.data.cohort.Cohort, got {type(cohort).__name__}")
    if not isinstance(settings, analysis.Settings):
        raise TypeError(f"settings must be a common.analysis.Settings, got {type(settings).__name__}")
    if not callable(task):
        raise TypeError(f"task must be a function task(spec, sample, settings), got {task!r}")
    text = json.dumps(_manifest(cohort, settings, task), sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    shape = "x".join(str(n) for n in cohort.shape)
    return results_root() / f"bone-study-seed{cohort.seed}-{shape}-{digest}"


def _jsonable(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _write_json(path: pathlib.Path, content: dict) -> None:
    """Write atomically: a crash never leaves half a file under ``path``."""
    data = {k: _jsonable(v) for k, v in content.items()}
    write_atomically(path, lambda handle: json.dump(data, handle, indent=1), binary=False)


def _task_name(task: Callable) -> str:
    module = getattr(task, "__module__", "?")
    if module == "__main__":
        # Run as a script with `python -m package.module`: name the module as
        # it is imported elsewhere, so a notebook and the command line agree.
        spec = getattr(sys.modules.get("__main__"), "__spec__", None)
        module = getattr(spec, "name", None) or module
    return f"{module}.{getattr(task, '__qualname__', repr(task))}"


def _checksum(record: dict, manifest: dict) -> str:
    """SHA-256 of a record's content (without its checksum) and of the study."""
    content = {k: v for k, v in record.items() if k != CHECKSUM}
    text = json.dumps({"study": manifest, "record": content}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _sealed(record: dict, manifest: dict) -> dict:
    """The record as it is stored: JSON values, and its checksum."""
    data = {k: _jsonable(v) for k, v in record.items() if k != CHECKSUM}
    data = json.loads(json.dumps(data))  # exactly what reading the file gives back
    data[CHECKSUM] = _checksum(data, manifest)
    return data


def _existing_ancestor(folder: pathlib.Path) -> pathlib.Path:
    target = folder.absolute()
    while not target.exists() and target != target.parent:
        target = target.parent
    return target


def _writable(folder: pathlib.Path) -> bool:
    """Can this process make files in ``folder`` (also False on a read-only disk)?"""
    effective = os.access in os.supports_effective_ids
    return os.access(folder, os.W_OK | os.X_OK, effective_ids=effective)


def _check_folder(folder: pathlib.Path, manifest: dict) -> bool:
    """Check the output folder without writing anything; True if it holds this study.

    Refuses a folder of another study, sample files without a manifest and a
    folder this user cannot write in (``PermissionError``, naming it).
    """
    try:
        return _check_folder_unguarded(folder, manifest)
    except OSError as err:
        if err.filename is None:   # ours, with its message
            raise
        raise OSError(err.errno, f"cannot look into the output folder {folder} "
                                 f"({err.strerror}: {err.filename})") from None


def _check_folder_unguarded(folder: pathlib.Path, manifest: dict) -> bool:
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"output folder {folder} exists and is not a folder")
    target = _existing_ancestor(folder)
    if not target.is_dir():
        raise ValueError(f"output folder {folder} cannot be made: {target} is not a folder")
    if not _writable(target):
        if target == folder.absolute():
            what = f"the output folder {folder} is not writable by this user"
        else:
            what = (f"the output folder {folder} cannot be made: {target} is not writable "
                    "by this user")
        raise PermissionError(f"{what}; choose a folder you can write in")
    if not folder.exists():
        return False
    stored = folder / MANIFEST
    if stored.exists():
        if not stored.is_file():
            raise ValueError(f"{stored} is not a file: it was not written by common.study; "
                             "use another output folder")
        try:
            previous = json.loads(stored.read_text())
        except (OSError, ValueError) as err:
            raise ValueError(f"{stored} cannot be read ({err}); it was not written by "
                             "common.study or is damaged: use another output folder") from None
        if not isinstance(previous, dict):
            raise ValueError(f"{stored} was not written by common.study: use another output folder")
        if previous != manifest:
            diff = sorted(k for k in set(previous) | set(manifest) if previous.get(k) != manifest.get(k))
            older = ("; it was written by another version of common.study (format "
                     f"{previous.get('format')!r}, this is {FORMAT})" if "format" in diff else "")
            raise ValueError(
                f"output folder {folder} holds the results of a different study "
                f"(it differs in: {', '.join(diff)}){older}; use another folder, or delete "
                "this one to start afresh")
        return True
    strangers = sorted(p.name for p in folder.iterdir() if _SAMPLE_FILE.match(p.name))
    if strangers:
        raise ValueError(
            f"output folder {folder} holds sample files ({strangers[0]}, ...) but no "
            f"{MANIFEST}: they were not written by this study, and will not be "
            "overwritten; use another folder")
    return False


def _prepare(folder: pathlib.Path, manifest: dict) -> None:
    """Create the output folder and its manifest (after :func:`_check_folder`)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / MANIFEST).exists():
            _write_json(folder / MANIFEST, manifest)
    except OSError as err:
        raise OSError(err.errno, f"cannot write the output folder {folder} ({err.strerror or err})") from None
    # Our own temporary files of a killed run (not those of a run in progress).
    clean_stale_temporaries(folder, _SAMPLE_NAME)


def _read_record(path: pathlib.Path, sample: int, manifest: dict | None = None):
    """The record in ``path``, or ``None``; with ``manifest``, only if its checksum holds."""
    record, _ = _check_record(path, sample, manifest)
    return record


def _check_record(path: pathlib.Path, sample: int, manifest: dict | None):
    """``(record, None)``, or ``(None, why it is not usable)`` (``None`` if absent)."""
    try:
        if not path.is_file():   # reading a named pipe would wait for a writer
            return (None, "it is not a regular file") if path.exists() else (None, None)
        text = path.read_text()
    except FileNotFoundError:
        return None, None
    except OSError as err:
        return None, f"it cannot be read ({err.strerror or err})"
    try:
        record = json.loads(text)
    except ValueError:
        return None, "it is not valid JSON"
    if not isinstance(record, dict) or record.get("sample") != sample:
        return None, f"it is not the record of sample {sample}"
    if manifest is not None and record.get(CHECKSUM) != _checksum(record, manifest):
        return None, "its checksum does not match its content and this study"
    return record, None


def _manifest_of(folder: pathlib.Path) -> dict:
    stored = folder / MANIFEST
    if not stored.is_file():
        raise ValueError(f"{folder} is not the output folder of a study (no {MANIFEST})")
    try:
        manifest = json.loads(stored.read_text())
    except (OSError, ValueError) as err:
        raise ValueError(f"{stored} cannot be read ({err})") from None
    if not isinstance(manifest, dict):
        raise ValueError(f"{stored} was not written by common.study")
    return manifest


def _warn_damaged(folder: pathlib.Path, damaged: dict, action: str) -> None:
    if damaged:
        shown = "; ".join(f"{sample_file(folder, s).name}: {why}"
                          for s, why in sorted(damaged.items())[:5])
        more = "; ..." if len(damaged) > 5 else ""
        warnings.warn(f"{len(damaged)} result file(s) in {folder} are damaged or do not "
                      f"belong to this study ({shown}{more}); {action}",
                      RuntimeWarning, stacklevel=3)


def load_results(folder) -> pd.DataFrame:
    """Every finished record in a study's output folder, sorted by sample.

    Records whose checksum does not hold (changed, damaged, or of another
    study) are left out, with a warning naming them.
    """
    folder = pathlib.Path(folder)
    manifest = _manifest_of(folder)
    records, damaged = [], {}
    for path in sorted(folder.iterdir()):
        match = _SAMPLE_FILE.match(path.name)
        if match:
            sample = int(match.group(1))
            record, why = _check_record(path, sample, manifest)
            if record is not None:
                record.pop(CHECKSUM, None)
                records.append(record)
            elif why is not None:
                damaged[sample] = why
    _warn_damaged(folder, damaged, "they are left out (run the study again to recompute them)")
    table = pd.DataFrame(records)
    return table.sort_values("sample").reset_index(drop=True) if len(table) else table


# ------------------------------------------------------------- progress bar
class _Progress:
    """A text progress bar: redrawn in place in a terminal or notebook.

    Written to a file or a pipe, it prints one line per tenth instead.
    """

    def __init__(self, total: int, reused: int, enabled: bool, width: int = 30):
        self.total, self.reused, self.width = total, reused, width
        self.done = 0
        self.enabled = enabled and total > 0
        self.start = time.perf_counter()
        self.last = -1.0
        self.handle = None
        self.tty = sys.stdout.isatty() if hasattr(sys.stdout, "isatty") else False
        self.tenth = -1
        if self.enabled and _in_notebook():
            from IPython.display import display

            self.handle = display({"text/plain": self._line()}, raw=True, display_id=True)
        elif self.enabled:
            self.draw(force=True)

    def _line(self) -> str:
        fraction = self.done / self.total if self.total else 1.0
        bar = "#" * int(round(self.width * fraction))
        return (f"[{bar:<{self.width}}] {self.done}/{self.total} samples computed "
                f"({self.reused} already done) | {time.perf_counter() - self.start:.1f} s")

    def draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self.last < 0.25:
            return
        self.last = now
        if self.handle is not None:
            self.handle.update({"text/plain": self._line()}, raw=True)
        elif self.tty:
            sys.stdout.write("\r" + self._line())
            sys.stdout.flush()
        else:
            tenth = 10 * self.done // self.total
            if tenth > self.tenth:
                self.tenth = tenth
                sys.stdout.write(self._line() + "\n")
                sys.stdout.flush()

    def step(self) -> None:
        self.done += 1
        self.draw(force=self.done == self.total)

    def close(self) -> None:
        if self.enabled:
            self.draw(force=True)
            if self.handle is None and self.tty:
                sys.stdout.write("\n")
                sys.stdout.flush()


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


# ------------------------------------------------------------------- the run
@dataclasses.dataclass
class StudyRun:
    """What :func:`run_study` did.

    ``results``: one row per requested sample (all finished records, from
    this run and earlier ones); ``computed``: the samples computed in this
    run; ``reused``: those whose files were there already; ``seconds``: wall
    time of this run; ``folder``: the output folder.
    """

    results: pd.DataFrame
    computed: list
    reused: list
    seconds: float
    folder: pathlib.Path


def run_study(cohort: Cohort, folder=None, *, settings: analysis.Settings = analysis.BONE_VOLUME,
              samples=None, client=None, address: str | None = None,
              n_workers: int | None = None, memory_limit="1GiB", progress: bool = True,
              task: Callable = analyse_sample, timeout: float | None = None,
              worker_timeout: float | None = None) -> StudyRun:
    """Analyse the samples of ``cohort``, writing one file per sample to ``folder``.

    cohort
        The :class:`~common.data.cohort.Cohort`.
    folder
        Output folder (created if needed); default :func:`results_folder`,
        this study's folder in the user's cache, kept across sessions.
        Samples that already have a valid file there are not computed again,
        so an interrupted run can simply be restarted, and a larger cohort
        computes only its new samples; see the module doc for what the
        folder may contain.
    settings
        The analysis :class:`~common.analysis.Settings`; part of the study's
        identity (a folder made with other settings is refused).
    samples
        Which sample numbers (a list, tuple, range or array of integers);
        default all of the cohort.
    client
        A dask ``Client`` to use. If ``None``, one is made with
        :func:`start_client` (``address``, ``n_workers``, ``memory_limit``)
        for this run only.
    progress
        Show a progress bar while the samples are computed.
    task
        The function run for each sample, ``task(spec, sample, settings) ->
        dict``; default :func:`analyse_sample`. It is part of the study's
        identity.
    timeout
        Seconds to wait for the scheduler at ``address`` to answer (see
        :func:`start_client`; default :data:`CONNECT_TIMEOUT`, 20 s).
    worker_timeout
        Seconds to wait for the cluster to have a worker, at the start and
        whenever all workers are gone during the run; then a
        ``TimeoutError`` says so (the samples finished so far are kept).
        Default :data:`WORKER_TIMEOUT`, 60 s.

    Nothing is written before the folder has been checked (a folder of
    another study, or one this user cannot write in, is refused) and the
    cluster has a worker. Returns a :class:`StudyRun`. If some samples
    fail, the others are still written, and a :class:`SamplesFailedError`
    (a ``RuntimeError``) at the end names the failed ones (a restart retries
    only those).
    """
    if not isinstance(cohort, Cohort):
        raise TypeError(f"cohort must be a common.data.cohort.Cohort, got {type(cohort).__name__}")
    if not isinstance(settings, analysis.Settings):
        raise TypeError(f"settings must be a common.analysis.Settings, got {type(settings).__name__}")
    samples = _check_samples(samples, cohort.n_samples)
    if folder is not None and (not isinstance(folder, (str, os.PathLike)) or str(folder) == ""):
        raise TypeError(f"folder must be a path (a str or pathlib.Path) or None, got {folder!r}")
    if not callable(task):
        raise TypeError(f"task must be a function task(spec, sample, settings), got {task!r}")
    if folder is None:
        folder = results_folder(cohort, settings, task=task)
    if client is not None and not callable(getattr(client, "submit", None)):
        raise TypeError(f"client must be a dask distributed.Client or None, got {client!r}")
    progress = _check_bool("progress", progress)
    timeout = _check_seconds("timeout", CONNECT_TIMEOUT if timeout is None else timeout)
    worker_timeout = _check_seconds("worker_timeout",
                                    WORKER_TIMEOUT if worker_timeout is None else worker_timeout)
    folder = pathlib.Path(folder)
    manifest = _manifest(cohort, settings, task)
    ours = _check_folder(folder, manifest)

    start = time.perf_counter()
    reused, damaged = [], {}
    if ours:
        for s in samples:
            record, why = _check_record(sample_file(folder, s), s, manifest)
            if record is not None:
                reused.append(s)
            elif why is not None:
                damaged[s] = why
    _warn_damaged(folder, damaged, "they are computed again")
    done = set(reused)
    todo = [s for s in samples if s not in done]
    computed, failed = [], {}
    with contextlib.ExitStack() as stack:
        if todo:
            if client is None:
                client = stack.enter_context(start_client(address, n_workers=n_workers,
                                                          memory_limit=memory_limit,
                                                          timeout=timeout))
            _wait_for_workers(client, worker_timeout)
        _prepare(folder, manifest)   # the first write, once the cluster can work
        if todo:
            computed, failed = _compute(client, cohort, folder, todo, settings, task, manifest,
                                        _Progress(len(todo), len(reused), progress),
                                        worker_timeout)
    seconds = time.perf_counter() - start
    if failed:
        first = next(iter(failed.items()))
        raise SamplesFailedError(
            f"{len(failed)} of {len(todo)} samples failed (their results were not written; "
            f"run again to retry them): {sorted(failed)[:10]}; sample {first[0]}: {first[1]!r}")
    table = load_results(folder)
    if len(table):
        table = table[table["sample"].isin(samples)].reset_index(drop=True)
    return StudyRun(results=table, computed=computed, reused=reused, seconds=seconds,
                    folder=folder)


def _check_samples(samples, n_samples: int) -> list:
    if samples is None:
        return list(range(n_samples))
    allowed = f"a list of sample numbers from 0 to {n_samples - 1}"
    if isinstance(samples, (str, bytes, dict, set, frozenset)) or not hasattr(samples, "__iter__"):
        raise ValueError(f"samples must be {allowed}, got {samples!r}")
    samples = list(samples)
    bad = [s for s in samples if isinstance(s, (bool, np.bool_))
           or not isinstance(s, (int, np.integer)) or not 0 <= s < n_samples]
    if bad:
        raise ValueError(f"samples must be numbers from 0 to {n_samples - 1}, got {bad[0]!r}")
    if len(set(samples)) != len(samples):
        raise ValueError("samples must not repeat a sample number")
    return [int(s) for s in samples]


def _scheduler_address(client) -> str:
    return str(getattr(getattr(client, "scheduler", None), "address", None) or "the scheduler")


def _n_workers(client) -> int:
    return len(client.scheduler_info(n_workers=1).get("workers", {}))


def _wait_for_workers(client, timeout: float) -> None:
    """Wait (at most ``timeout`` s) until the cluster has at least one worker."""
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (TimeoutError, asyncio.TimeoutError):
        address = _scheduler_address(client)
        raise TimeoutError(
            f"the dask scheduler at {address} has no workers (waited {timeout:g} s): start "
            f"some, e.g. `dask worker {address}`, on machines that have this book's `common` "
            "package, and check that they can reach the scheduler") from None


def _compute(client, cohort, folder, todo, settings, task, manifest, bar, worker_timeout):
    from distributed import wait

    spec = cohort.spec()
    address = _scheduler_address(client)
    # Keys of this run only: a run that stopped early cancels its tasks, and a
    # rerun on the same client must not meet them under the same names.
    run = uuid.uuid4().hex
    futures = {}
    for sample in todo:
        future = client.submit(task, spec, sample, settings,
                               key=f"analyse-sample-{sample:05d}-{run}", pure=False)
        futures[future] = sample
    computed, failed = [], {}
    pending = set(futures)
    alone_since = None    # when the cluster was last seen without workers
    try:
        while pending:
            try:
                finished, _ = wait(list(pending), timeout=min(2.0, worker_timeout),
                                   return_when="FIRST_COMPLETED")
            except (TimeoutError, asyncio.TimeoutError):
                bar.draw()
                now = time.monotonic()
                try:
                    workers = _n_workers(client)
                except Exception as err:  # noqa: BLE001 - the scheduler is gone
                    raise _lost(client, address, pending, computed, err) from None
                if workers:
                    alone_since = None
                elif alone_since is None:
                    alone_since = now
                elif now - alone_since > worker_timeout:
                    raise TimeoutError(
                        f"the dask scheduler at {address} has had no workers for "
                        f"{worker_timeout:g} s, with {len(pending)} samples still to compute; "
                        f"the {len(computed)} finished ones are written: start workers and "
                        "run the study again to compute the rest") from None
                continue
            except (concurrent.futures.CancelledError, asyncio.CancelledError, OSError) as err:
                # dask cancels every future when the client loses its scheduler
                raise _lost(client, address, pending, computed, err) from None
            for future in finished:
                pending.discard(future)
                sample = futures[future]
                try:
                    record = future.result()
                    if not isinstance(record, dict):
                        raise TypeError("the task must return a dict (the record of one "
                                        f"sample), got {type(record).__name__}")
                except (Exception, asyncio.CancelledError) as err:  # noqa: BLE001 - one bad sample must not stop the study
                    failed[sample] = err
                else:
                    _write_record(folder, sample, record, manifest)
                    computed.append(sample)
                future.release()
                bar.step()
    finally:
        bar.close()
        with contextlib.suppress(Exception):   # a client that lost its scheduler is closed
            client.cancel([f for f in futures if not f.done()])
    return computed, failed


def _lost(client, address, pending, computed, err) -> Exception:
    reason = re.search(r"reason: ([\w-]+)", str(err))   # dask's long list of futures
    if reason:
        reason = ("the tasks were cancelled" if reason.group(1) == "unknown"
                  else f"dask: {reason.group(1)}")
    else:
        reason = _one_line(err)[:200]
    if getattr(client, "status", None) == "running":   # connected, yet cancelled
        return RuntimeError(
            f"dask cancelled the study's tasks on the scheduler at {address} ({reason}), with "
            f"{len(pending)} samples still to compute; the {len(computed)} finished ones are "
            "written: run the study again to compute the rest")
    return ConnectionError(
        f"lost the connection to the dask scheduler at {address} ({reason}), with {len(pending)} samples still to compute; the "
        f"{len(computed)} finished ones are written: once the scheduler runs again, run the "
        "study again to compute the rest")


def _write_record(folder: pathlib.Path, sample: int, record: dict, manifest: dict) -> None:
    record = {"sample": sample, **record}
    try:
        _write_json(sample_file(folder, sample), _sealed(record, manifest))
    except OSError as err:
        raise OSError(err.errno, f"cannot write the result of sample {sample} in {folder} "
                      f"({err.strerror or err}); the results written so far are kept: fix "
                      "the folder (free space, permissions) and run again to resume") from None


# --------------------------------------------------------- what the cluster did
def task_stream_frame(records) -> pd.DataFrame:
    """The records of ``distributed.get_task_stream`` as a table.

    One row per computation: ``worker``, ``key``, ``group`` (the key's
    prefix), ``start`` and ``stop`` (seconds since the first start). This is
    what the dashboard's "Task Stream" panel draws.
    """
    from dask.utils import key_split

    rows = []
    for record in records:
        for part in record.get("startstops", ()):
            if part.get("action") == "compute":
                rows.append({"worker": record.get("worker"), "key": str(record.get("key")),
                             "group": key_split(record.get("key")),
                             "start": part["start"], "stop": part["stop"]})
    table = pd.DataFrame(rows, columns=["worker", "key", "group", "start", "stop"])
    if len(table):
        t0 = table["start"].min()
        table["start"] -= t0
        table["stop"] -= t0
        table = table.sort_values(["worker", "start"]).reset_index(drop=True)
    return table


def _peak_rss() -> int:
    """Peak resident memory of this process, bytes.

    On Linux the kernel's high-water mark ``VmHWM`` (it starts afresh when a
    worker process starts, whereas ``getrusage``'s ``ru_maxrss`` may carry
    over the parent's peak); elsewhere ``ru_maxrss``.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def worker_memory(client) -> pd.DataFrame:
    """Peak and current memory of each worker against its limit (MiB).

    The peak is the process's highest resident memory since it started,
    as the operating system counts it (``VmHWM`` on Linux); on a local
    cluster with ``processes=False`` all workers share one process, so
    their peaks are that of the whole process.
    """
    info = client.scheduler_info(n_workers=-1)["workers"]
    peaks = client.run(_peak_rss)
    rows = []
    for address, worker in sorted(info.items(), key=lambda kv: str(kv[1].get("name"))):
        limit = worker.get("memory_limit") or 0
        rows.append({"worker": worker.get("name"),
                     "peak_MiB": peaks.get(address, 0) / 2**20,
                     "now_MiB": worker.get("metrics", {}).get("memory", 0) / 2**20,
                     "limit_MiB": limit / 2**20 if limit else math.nan})
    return pd.DataFrame(rows)


# --------------------------------------------------------------- command line
def main(argv=None) -> int:
    """The command line; returns the exit status (see the module doc)."""
    parser = argparse.ArgumentParser(
        prog="python -m common.study",
        description="Run the bone study on a synthetic cohort with dask.distributed, "
                    "writing one result file per sample; rerun to resume.")
    parser.add_argument("folder", nargs="?", default=None,
                        help="output folder (created if needed); default: this study's folder "
                             f"in the user's cache (under ${RESULTS_ENV} if set), kept across runs")
    parser.add_argument("--samples", type=int, default=96, help="number of samples (default 96)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the cohort (default 0)")
    parser.add_argument("--scheduler", default=None,
                        help=f"address of a running dask scheduler (default: ${SCHEDULER_ENV}, "
                             "or a local cluster)")
    parser.add_argument("--workers", type=int, default=None, help="local workers (default: one per core)")
    parser.add_argument("--memory-limit", default="1GiB", help="memory limit per local worker")
    parser.add_argument("--timeout", type=float, default=None,
                        help=f"seconds to wait for the scheduler to answer (default {CONNECT_TIMEOUT:g})")
    parser.add_argument("--worker-timeout", type=float, default=None,
                        help=f"seconds to wait for the cluster to have a worker (default {WORKER_TIMEOUT:g})")
    args = parser.parse_args(argv)

    def fail(err, status: int) -> int:
        text = (err.strerror if isinstance(err, OSError) and err.errno and err.strerror
                and err.filename is None else err)
        print(f"{parser.prog}: error: {' '.join(str(text).split())}", file=sys.stderr)
        return status

    try:
        logging.disable(logging.ERROR)   # dask's tracebacks; the errors below say it
        cohort = Cohort(n_samples=args.samples, seed=args.seed)
        run = run_study(cohort, args.folder, address=args.scheduler, n_workers=args.workers,
                        memory_limit=args.memory_limit, timeout=args.timeout,
                        worker_timeout=args.worker_timeout)
    except (ValueError, TypeError) as err:
        parser.error(" ".join(str(err).split()))
    except SamplesFailedError as err:
        return fail(err, 1)
    except (OSError, RuntimeError) as err:   # the cluster, the folder (TimeoutError is an OSError)
        return fail(err, 2)
    except KeyboardInterrupt:
        return fail("interrupted; the samples finished so far are kept: run the same "
                    "command again to compute the rest", 130)
    finally:
        logging.disable(logging.NOTSET)
    table = run.results
    print(f"{len(run.computed)} samples computed, {len(run.reused)} already done, "
          f"in {run.seconds:.1f} s; results in {run.folder}")
    error = (table["count"] - table["true_count"]).abs() / table["true_count"]
    print(f"mean absolute count error: {100 * error.mean():.2f} %")
    return 0


if __name__ == "__main__":  # pragma: no cover
    # Run the importable module's main, not this copy named __main__: the
    # task is then recorded as common.study.analyse_sample, the same name a
    # notebook's run_study records, so either can resume the other's folder.
    from common.study import main as _main

    sys.exit(_main())
