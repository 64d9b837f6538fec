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

The output folder
    One JSON file per sample, ``sample-00042.json``, and ``study.json``,
    which says which cohort and which settings the records belong to. A
    folder that holds results of another study, or sample files without a
    ``study.json``, is refused rather than overwritten; other files in the
    folder are left alone.

From the command line::

    python -m common.study OUTPUT_FOLDER --samples 96 [--scheduler tcp://host:8786]
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import math
import os
import pathlib
import re
import sys
import time
from typing import Callable

import numpy as np
import pandas as pd

from . import analysis
from ._files import write_atomically
from .data.cohort import Cohort

#: Environment variable with the address of a running dask scheduler.
SCHEDULER_ENV = "QBI_DASK_SCHEDULER"
#: Name of the file that identifies a study's output folder.
MANIFEST = "study.json"
#: Format of the per-sample files (bump when their content changes).
FORMAT = 1
_SAMPLE_FILE = re.compile(r"^sample-(\d{5,})\.json$")
_TEMP_FILE = re.compile(r"^\.sample-\d{5,}\.json\..+\.tmp$")


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


def start_client(address: str | None = None, *, n_workers: int | None = None,
                 threads_per_worker: int = 1, memory_limit="1GiB",
                 processes: bool = True, dashboard: bool = True, trim_memory: bool = False):
    """A dask ``Client``: on a new local cluster, or on the cluster at ``address``.

    ``client.close()`` (or the end of a ``with study.start_client() as
    client:`` block) closes the client and a local cluster it started; a
    cluster it only connected to keeps running.

    address
        Address of a running scheduler, e.g. ``"tcp://10.0.0.5:8786"``. If
        ``None``, the environment variable ``QBI_DASK_SCHEDULER`` is used;
        if that is unset or empty, a local cluster is started.
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
    """
    from distributed import Client

    address = address if address is not None else os.environ.get(SCHEDULER_ENV, "")
    if address:
        if not isinstance(address, str) or ":" not in address:
            raise ValueError("address must be a scheduler address like 'tcp://host:8786', "
                             f"got {address!r}")
        return Client(address, timeout="20s")
    if n_workers is None:
        n_workers = default_workers()
    if isinstance(n_workers, bool) or not isinstance(n_workers, (int, np.integer)) or not 1 <= n_workers <= 1024:
        raise ValueError(f"n_workers must be an integer from 1 to 1024, got {n_workers!r}")
    if (isinstance(threads_per_worker, bool) or not isinstance(threads_per_worker, (int, np.integer))
            or not 1 <= threads_per_worker <= 256):
        raise ValueError(f"threads_per_worker must be an integer from 1 to 256, got {threads_per_worker!r}")
    limit = _parse_memory(memory_limit)
    if not isinstance(trim_memory, bool):
        raise ValueError(f"trim_memory must be True or False, got {trim_memory!r}")
    import dask

    environ = {} if trim_memory else {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
    environ.update(_quiet_background())
    with dask.config.set(environ):
        # A client made with cluster arguments owns its LocalCluster and closes it.
        return Client(n_workers=int(n_workers), threads_per_worker=int(threads_per_worker),
                      memory_limit=limit, processes=processes, dashboard_address=":0",
                      scheduler_kwargs={"dashboard": bool(dashboard)},
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
    the truth table with the prefix ``true_``, and ``seconds``, ``worker``.
    """
    start = time.perf_counter()
    cohort = Cohort(n_samples=sample + 1, seed=spec["seed"], shape=tuple(spec["shape"]))
    volume = cohort.sample(sample)
    result = analysis.analyse(volume, settings)
    truth = analysis.summarise(cohort.truth(sample), tissue_px=cohort.bone_voxels(sample),
                               ndim=3, voxel_size_um=cohort.voxel_size_um, size="volume_vox")
    record = dict(cohort.info(sample))
    record.update(result.summary)
    record.update({f"true_{key}": value for key, value in truth.items()})
    record["seconds"] = time.perf_counter() - start
    record["worker"] = _worker_name()
    return record


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().name)
    except (ImportError, ValueError):
        return "client"


# ---------------------------------------------------------- the output folder
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
    return f"{getattr(task, '__module__', '?')}.{getattr(task, '__qualname__', repr(task))}"


def _prepare(folder: pathlib.Path, manifest: dict) -> None:
    """Create or check the output folder; refuse anything not ours."""
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"output folder {folder} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / MANIFEST
    if stored.exists():
        try:
            previous = json.loads(stored.read_text())
        except (OSError, ValueError) as err:
            raise ValueError(f"{stored} cannot be read ({err}); it was not written by "
                             "common.study or is damaged: use another output folder") from None
        if previous != manifest:
            diff = sorted(k for k in set(previous) | set(manifest) if previous.get(k) != manifest.get(k))
            raise ValueError(
                f"output folder {folder} holds the results of a different study "
                f"(it differs in: {', '.join(diff)}); use another folder, or delete "
                "this one to start afresh")
    else:
        strangers = sorted(p.name for p in folder.iterdir() if _SAMPLE_FILE.match(p.name))
        if strangers:
            raise ValueError(
                f"output folder {folder} holds sample files ({strangers[0]}, ...) but no "
                f"{MANIFEST}: they were not written by this study, and will not be "
                "overwritten; use another folder")
        _write_json(stored, manifest)
    for leftover in folder.iterdir():  # our own temporary files of a killed run
        if _TEMP_FILE.match(leftover.name):
            leftover.unlink(missing_ok=True)


def _read_record(path: pathlib.Path, sample: int):
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("sample") != sample:
        return None
    return record


def load_results(folder) -> pd.DataFrame:
    """Every finished record in a study's output folder, sorted by sample."""
    folder = pathlib.Path(folder)
    if not (folder / MANIFEST).exists():
        raise ValueError(f"{folder} is not the output folder of a study (no {MANIFEST})")
    records = []
    for path in sorted(folder.iterdir()):
        match = _SAMPLE_FILE.match(path.name)
        if match:
            record = _read_record(path, int(match.group(1)))
            if record is not None:
                records.append(record)
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


def run_study(cohort: Cohort, folder, *, settings: analysis.Settings = analysis.BONE_VOLUME,
              samples=None, client=None, address: str | None = None,
              n_workers: int | None = None, memory_limit="1GiB", progress: bool = True,
              task: Callable = analyse_sample) -> StudyRun:
    """Analyse the samples of ``cohort``, writing one file per sample to ``folder``.

    cohort
        The :class:`~common.data.cohort.Cohort`.
    folder
        Output folder (created if needed). Samples that already have a valid
        file there are not computed again, so an interrupted run can simply
        be restarted; see the module doc for what the folder may contain.
    settings
        The analysis :class:`~common.analysis.Settings`; part of the study's
        identity (a folder made with other settings is refused).
    samples
        Which sample numbers; default all of the cohort.
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

    Returns a :class:`StudyRun`. If some samples fail, the others are still
    written, and a ``RuntimeError`` at the end names the failed ones (a
    restart retries only those).
    """
    if not isinstance(cohort, Cohort):
        raise TypeError(f"cohort must be a common.data.cohort.Cohort, got {type(cohort).__name__}")
    if not isinstance(settings, analysis.Settings):
        raise TypeError(f"settings must be a common.analysis.Settings, got {type(settings).__name__}")
    if samples is None:
        samples = list(range(cohort.n_samples))
    else:
        samples = list(samples)
        bad = [s for s in samples if isinstance(s, bool) or not isinstance(s, (int, np.integer))
               or not 0 <= s < cohort.n_samples]
        if bad:
            raise ValueError(f"samples must be numbers from 0 to {cohort.n_samples - 1}, "
                             f"got {bad[0]!r}")
        if len(set(samples)) != len(samples):
            raise ValueError("samples must not repeat a sample number")
        samples = [int(s) for s in samples]
    folder = pathlib.Path(folder)
    manifest = {"study": "common.study", "format": FORMAT, "cohort": cohort.spec(),
                "settings": settings.as_dict(), "task": _task_name(task)}
    _prepare(folder, manifest)

    start = time.perf_counter()
    reused = [s for s in samples if _read_record(sample_file(folder, s), s) is not None]
    done = set(reused)
    todo = [s for s in samples if s not in done]
    computed, failed = [], {}
    if todo:
        with contextlib.ExitStack() as stack:
            if client is None:
                client = stack.enter_context(start_client(address, n_workers=n_workers,
                                                          memory_limit=memory_limit))
            computed, failed = _compute(client, cohort, folder, todo, settings, task,
                                        _Progress(len(todo), len(reused), progress))
    seconds = time.perf_counter() - start
    if failed:
        first = next(iter(failed.items()))
        raise RuntimeError(
            f"{len(failed)} of {len(todo)} samples failed (their results were not written; "
            f"run again to retry them): {sorted(failed)[:10]}; sample {first[0]}: {first[1]!r}")
    table = load_results(folder)
    if len(table):
        table = table[table["sample"].isin(samples)].reset_index(drop=True)
    return StudyRun(results=table, computed=computed, reused=reused, seconds=seconds,
                    folder=folder)


def _compute(client, cohort, folder, todo, settings, task, bar):
    from distributed import as_completed

    spec = cohort.spec()
    futures = {}
    for sample in todo:
        future = client.submit(task, spec, sample, settings, key=f"analyse-sample-{sample:05d}",
                               pure=False)
        futures[future] = sample
    computed, failed = [], {}
    try:
        for future in as_completed(futures):
            sample = futures[future]
            try:
                record = future.result()
            except Exception as err:  # noqa: BLE001 - one bad sample must not stop the study
                failed[sample] = err
            else:
                _write_json(sample_file(folder, sample), record)
                computed.append(sample)
            future.release()
            bar.step()
    finally:
        bar.close()
        for future in futures:
            future.cancel()
    return computed, failed


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
    parser = argparse.ArgumentParser(
        prog="python -m common.study",
        description="Run the bone study on a synthetic cohort with dask.distributed, "
                    "writing one result file per sample; rerun to resume.")
    parser.add_argument("folder", help="output folder (created if needed)")
    parser.add_argument("--samples", type=int, default=96, help="number of samples (default 96)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the cohort (default 0)")
    parser.add_argument("--scheduler", default=None,
                        help=f"address of a running dask scheduler (default: ${SCHEDULER_ENV}, "
                             "or a local cluster)")
    parser.add_argument("--workers", type=int, default=None, help="local workers (default: one per core)")
    parser.add_argument("--memory-limit", default="1GiB", help="memory limit per local worker")
    args = parser.parse_args(argv)
    try:
        cohort = Cohort(n_samples=args.samples, seed=args.seed)
        run = run_study(cohort, args.folder, address=args.scheduler, n_workers=args.workers,
                        memory_limit=args.memory_limit)
    except (ValueError, TypeError) as err:
        parser.error(str(err))
    table = run.results
    print(f"{len(run.computed)} samples computed, {len(run.reused)} already done, "
          f"in {run.seconds:.1f} s; results in {run.folder}")
    error = (table["count"] - table["true_count"]).abs() / table["true_count"]
    print(f"mean absolute count error: {100 * error.mean():.2f} %")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
