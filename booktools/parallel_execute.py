"""Sphinx extension: execute the chapters that need it in parallel, one per core.

With ``execute_notebooks: cache``, myst-nb executes a notebook while Sphinx
reads it, one page after another, so a cold build of the book uses one core.
This extension runs first: when Sphinx has decided which pages it will read
(the ``env-before-read-docs`` event), it looks each notebook up in the
execution cache exactly as myst-nb would and starts executing the ones that
miss, up to one kernel per core at a time, in the background. Sphinx reads
on meanwhile; a page whose notebook is still running waits for it
(``source-read``), so myst-nb finds every notebook in the cache and only
renders it, while the others are still executing.

It changes nothing about *which* notebooks run:

* an unchanged rebuild reads no page, so nothing is executed;
* an edited chapter is the only page read, so it runs alone;
* when ``common/`` changed, :mod:`booktools.sphinx_cache` has emptied the
  cache before this runs (``config-inited``), so every chapter runs again.

Chapters are started longest first (by their execution times of the last
build, kept in ``_build/.qbi-execution-seconds.json``, else those recorded
by ``benchmarks/results/build.json``), so that the longest one does not start
last. A notebook that fails here is not cached: myst-nb executes it again
on its own and reports the error as usual.

Configuration: the environment variable ``QBI_BUILD_JOBS`` (or the Sphinx
config value ``qbi_build_jobs``; 0 means one per core) sets how many
notebooks run at once; ``1`` gives the plain serial build.
"""
from __future__ import annotations

import asyncio
import json
import os
import pathlib
import queue
import tempfile
import threading
import time
from contextlib import suppress
from pathlib import PurePosixPath

from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Environment variable: notebooks executed at once (0 or unset: one per core).
JOBS_ENV = "QBI_BUILD_JOBS"
#: Execution times of the last build, next to the execution cache.
HISTORY = ".qbi-execution-seconds.json"
#: Recorded times used when no build has run yet (make bench writes them).
BENCHMARK = pathlib.Path("benchmarks", "results", "build.json")


def usable_cores() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def build_jobs(configured=0) -> int:
    """Notebooks to execute at once: ``QBI_BUILD_JOBS``, else ``configured``; 0 = cores."""
    raw = os.environ.get(JOBS_ENV, "").strip()
    value, source = (raw, JOBS_ENV) if raw else (configured, "qbi_build_jobs")
    try:
        jobs = int(value)
        ok = str(value).strip().lstrip("+").isdigit() and 0 <= jobs <= 1024
    except (TypeError, ValueError):
        ok = False
    if not ok or isinstance(value, bool):
        raise ValueError(f"{source} must be an integer from 0 (one per core) to 1024, got {value!r}")
    return jobs or usable_cores()


# ------------------------------------------------------------ what to execute
class _Job:
    """One notebook that misses the cache: what myst-nb would execute."""

    def __init__(self, docname, path, notebook, nb_config, read_fmt):
        self.docname, self.path, self.notebook = docname, path, notebook
        self.nb_config, self.read_fmt = nb_config, read_fmt
        self.estimate = 0.0
        self.seconds = None
        self.error = None


def _notebook_for(env, docname):
    """The notebook and configuration myst-nb's parser would build for ``docname``.

    Mirrors ``myst_nb.sphinx_.Parser.parse`` up to ``create_client``: the same
    reader, the kernel name aliases and the notebook-level configuration, so
    the cache key (code cells and kernelspec) is the one myst-nb looks up.
    Returns ``None`` for a page that is not an executable notebook.
    """
    from myst_nb.core.read import create_nb_reader
    from myst_nb.core.nb_to_tokens import nb_node_to_dict
    import re

    path = pathlib.Path(env.doc2path(docname))
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf8")
    nb_config = env.mystnb_config
    reader = create_nb_reader(str(path), env.myst_config, nb_config, text)
    if reader is None:
        return None
    notebook = reader.read(text)
    kernel_name = notebook.metadata.get("kernelspec", {}).get("name", None)
    if kernel_name is not None and nb_config.kernel_rgx_aliases:
        for rgx, alias in nb_config.kernel_rgx_aliases.items():
            if re.fullmatch(rgx, kernel_name):
                notebook.metadata["kernelspec"]["name"] = alias
                break
    if nb_config.metadata_key in notebook.metadata:
        overrides = nb_node_to_dict(notebook.metadata[nb_config.metadata_key])
        overrides.pop("output_folder", None)
        try:
            nb_config = nb_config.copy(**overrides)
        except Exception:  # noqa: BLE001 - myst-nb warns about it when it reads the page
            return None
    if nb_config.execution_mode != "cache":
        return None
    posix = PurePosixPath(path.as_posix())
    if any(posix.match(pattern) for pattern in nb_config.execution_excludepatterns or ()):
        return None
    if not any(cell.get("cell_type") == "code" for cell in notebook.cells):
        return None
    return _Job(docname, path, notebook, nb_config, reader.read_fmt)


# ---------------------------------------------------------- expected durations
def _history_file(app) -> pathlib.Path:
    return pathlib.Path(app.outdir).parent / HISTORY


def _expected_seconds(app) -> dict:
    """Execution time of each page in the last build (docname -> seconds)."""
    times = {}
    bench = pathlib.Path(app.srcdir, BENCHMARK)
    with suppress(OSError, ValueError, AttributeError, TypeError):
        recorded = json.loads(bench.read_text()).get("chapter_execution_s", {})
        times.update({str(k): float(v) for k, v in recorded.items()})
    with suppress(OSError, ValueError, AttributeError, TypeError):
        times.update({str(k): float(v) for k, v in json.loads(_history_file(app).read_text()).items()})
    return times


def _estimate(docname: str, times: dict) -> float:
    if docname in times:
        return times[docname]
    # benchmarks/build.py names a chapter by its path below chapters/
    for key, seconds in times.items():
        if docname.endswith("/" + key) or docname.rsplit("/", 1)[-1] == key:
            return seconds
    return 0.0


def _save_history(app, jobs) -> None:
    path = _history_file(app)
    times = {}
    with suppress(OSError, ValueError, AttributeError, TypeError):
        times = {str(k): float(v) for k, v in json.loads(path.read_text()).items()}
    times.update({job.docname: round(job.seconds, 2) for job in jobs if job.seconds is not None})
    with suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(dict(sorted(times.items())), indent=1) + "\n")
        os.replace(tmp, path)


# ------------------------------------------------------------------ execution
async def _execute(job: _Job) -> None:
    """Execute one notebook as jupyter-cache's ``single_nb_execution`` would."""
    from nbclient import NotebookClient

    config = job.nb_config
    timeout, allow_errors = config.execution_timeout, config.execution_allow_errors
    execution = job.notebook.metadata.get("execution", {})
    timeout = execution.get("timeout", timeout)
    allow_errors = execution.get("allow_errors", allow_errors)
    with (tempfile.TemporaryDirectory() if config.execution_in_temp
          else _folder(job.path.parent)) as cwd:
        client = NotebookClient(job.notebook, timeout=timeout, allow_errors=allow_errors,
                                record_timing=False,
                                resources={"metadata": {"path": os.path.abspath(cwd)}})
        start = time.perf_counter()
        try:
            await client.async_execute()
        except Exception as err:  # noqa: BLE001 - myst-nb runs it again and reports it
            job.error = err
        else:
            job.seconds = time.perf_counter() - start


class _folder:
    def __init__(self, path):
        self.path = str(path)

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        return False


def _run_all(jobs, n_parallel: int, done: queue.Queue) -> None:
    """In its own thread and event loop: run ``jobs`` in order, ``n_parallel`` at once."""

    async def main():
        slots = asyncio.Semaphore(n_parallel)

        async def one(job):
            async with slots:
                await _execute(job)
            done.put(job)

        await asyncio.gather(*(one(job) for job in jobs))

    try:
        asyncio.run(main())
    finally:
        done.put(None)


class _Executor:
    """The notebooks running in the background, and their arrival in the cache."""

    def __init__(self, app, env, todo, n_parallel):
        from jupyter_cache import get_cache

        self.app, self.env, self.todo = app, env, todo
        self.cache = get_cache(env.mystnb_config.execution_cache_path or ".jupyter_cache")
        self.pending = {job.docname: job for job in todo}
        self.done: queue.Queue = queue.Queue()
        self.start = time.perf_counter()
        self.n_parallel = n_parallel
        self.thread = threading.Thread(target=_run_all, args=(todo, n_parallel, self.done),
                                       name="qbi-parallel-execute", daemon=True)
        self.thread.start()
        self.running = True

    def _receive(self) -> bool:
        """Store the next finished notebook in the cache; False when all are done.

        Only this (Sphinx's) thread writes to the cache, a SQLite database.
        """
        from jupyter_cache.base import CacheBundleIn

        job = self.done.get()
        if job is None:
            self.running = False
            return False
        self.pending.pop(job.docname, None)
        path = self.env.doc2path(job.docname)
        if job.error is not None:
            logger.info("%s: executing it in parallel failed (%s); it runs again on its own, "
                        "which reports the error", path, type(job.error).__name__)
            return True
        stage = self.cache.add_nb_to_project(str(job.path), read_data=job.read_fmt)
        self.cache.cache_notebook_bundle(
            CacheBundleIn(job.notebook, stage.uri, data={"execution_seconds": job.seconds}),
            check_validity=False, overwrite=True)
        logger.info("%s: Executed notebook in %.2f seconds [in parallel]", path, job.seconds)
        return True

    def wait_for(self, docname) -> None:
        """Return once ``docname`` has been executed (or has failed)."""
        while docname in self.pending and self.running:
            self._receive()

    def finish(self) -> None:
        while self.running:
            self._receive()
        self.thread.join()
        _save_history(self.app, self.todo)
        logger.info("executed %d notebooks in %.1f s (%d at a time)", len(self.todo),
                    time.perf_counter() - self.start, self.n_parallel)


def _on_env_before_read_docs(app, env, docnames):
    app._qbi_executor = None
    jobs_wanted = build_jobs(app.config.qbi_build_jobs)
    if jobs_wanted < 2 or not hasattr(env, "mystnb_config"):
        return
    if env.mystnb_config.execution_mode != "cache":
        return
    from jupyter_cache import get_cache

    cache = get_cache(env.mystnb_config.execution_cache_path or ".jupyter_cache")
    todo = []
    for docname in sorted(docnames):
        job = _notebook_for(env, docname)
        if job is None:
            continue
        try:
            cache.match_cache_notebook(job.notebook)
        except KeyError:
            todo.append(job)
    if len(todo) < 2:
        return  # nothing to run side by side: myst-nb executes it as usual
    times = _expected_seconds(app)
    for job in todo:
        job.estimate = _estimate(job.docname, times)
    # Longest first, then by name, so that the longest chapter never starts last.
    todo.sort(key=lambda job: (-job.estimate, job.docname))
    n_parallel = min(jobs_wanted, len(todo))
    logger.info("executing %d notebooks, %d at a time (%s=%s)", len(todo), n_parallel,
                JOBS_ENV, os.environ.get(JOBS_ENV, "unset"))
    # Sphinx goes on reading: pages without a pending notebook at once, each
    # pending one as soon as its notebook is in the cache (source-read).
    app._qbi_executor = _Executor(app, env, todo, n_parallel)


def _on_source_read(app, docname, source):
    executor = getattr(app, "_qbi_executor", None)
    if executor is not None:
        executor.wait_for(docname)


def _on_env_updated(app, env):
    executor = getattr(app, "_qbi_executor", None)
    if executor is not None:
        app._qbi_executor = None
        executor.finish()


def _on_build_finished(app, exception):
    _on_env_updated(app, None)   # a build stopped by an error still collects its kernels


def setup(app):
    # 0: one notebook per core; 1: serial (myst-nb alone). QBI_BUILD_JOBS wins.
    app.add_config_value("qbi_build_jobs", 0, "")
    app.connect("env-before-read-docs", _on_env_before_read_docs)
    app.connect("source-read", _on_source_read)
    app.connect("env-updated", _on_env_updated)
    app.connect("build-finished", _on_build_finished)
    # Sphinx's own parallel reading would fork away from the executing thread.
    return {"version": "1", "parallel_read_safe": False, "parallel_write_safe": True}
