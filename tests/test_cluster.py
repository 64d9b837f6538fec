"""The study on a real cluster: scheduler and workers as separate programs.

The way a cluster runs it (deploy/README.md): ``dask scheduler`` and two
``dask worker`` programs, each its own process group, on 127.0.0.1; the
study (``python -m common.study``) reaches them through the environment
variable ``QBI_DASK_SCHEDULER`` alone. Halfway through, one worker is killed
(SIGKILL to its whole program: nanny and worker process, as when a batch
job's node dies); the scheduler gives its samples to the other worker, and
the study must still finish with every sample exactly once.
"""
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from common import analysis, study

BIN = pathlib.Path(sys.executable).parent
N_SAMPLES = 16
LOCALHOST = "127.0.0.1"


def _start(args, log: pathlib.Path, env):
    handle = log.open("wb")
    # Its own session (process group): the whole program can be stopped
    # without touching anything else.
    return subprocess.Popen(args, stdout=handle, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True, cwd=log.parent)


def _stop(process, sig=signal.SIGTERM, wait=30):
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=wait)


def _wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def _workers(address):
    from distributed import Client

    with Client(address, timeout="30s") as client:
        return {w["name"]: a for a, w in client.scheduler_info(n_workers=-1)["workers"].items()}


@pytest.fixture
def cluster(tmp_path):
    """``dask scheduler`` and two ``dask worker`` programs on 127.0.0.1."""
    env = dict(os.environ)
    env.pop(study.SCHEDULER_ENV, None)
    scheduler_file = tmp_path / "scheduler.json"
    processes = {}
    try:
        processes["scheduler"] = _start(
            [str(BIN / "dask"), "scheduler", "--host", LOCALHOST, "--port", "0",
             "--no-dashboard", "--scheduler-file", str(scheduler_file)],
            tmp_path / "scheduler.log", env)
        _wait_for(lambda: scheduler_file.exists() and scheduler_file.stat().st_size > 0, 120,
                  "the scheduler's address")
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith(f"tcp://{LOCALHOST}:")
        for name in ("worker-a", "worker-b"):
            (tmp_path / name).mkdir()
            processes[name] = _start(
                [str(BIN / "dask"), "worker", address, "--name", name, "--host", LOCALHOST,
                 "--nthreads", "1", "--nworkers", "1", "--memory-limit", "1GiB",
                 "--local-directory", str(tmp_path / name), "--no-dashboard"],
                tmp_path / f"{name}.log", env)
        _wait_for(lambda: len(_workers(address)) == 2, 180, "two workers")
        yield address, processes
    finally:
        for process in processes.values():
            _stop(process)


def test_study_survives_a_killed_worker_with_every_sample_exactly_once(cluster, tmp_path):
    address, processes = cluster
    out = tmp_path / "results"
    env = dict(os.environ, **{study.SCHEDULER_ENV: address})
    run = subprocess.Popen([str(BIN / "python"), "-m", "common.study", str(out),
                            "--samples", str(N_SAMPLES), "--seed", "3"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    try:
        def done():
            return sorted(out.glob("sample-*.json")) if out.is_dir() else []

        # Halfway: kill worker-a's whole program (nanny and worker), without warning.
        _wait_for(lambda: len(done()) >= N_SAMPLES // 2, 600, "half of the samples")
        finished_before_kill = len(done())
        _stop(processes["worker-a"], signal.SIGKILL)
        output, _ = run.communicate(timeout=900)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 0, output
    assert finished_before_kill < N_SAMPLES, "the worker must die while the study runs"
    assert list(_workers(address)) == ["worker-b"], "worker-a is gone"

    table = study.load_results(out)
    assert table["sample"].tolist() == list(range(N_SAMPLES))   # every sample, once each
    files = sorted(p.name for p in out.iterdir() if p.name.startswith("sample-"))
    assert files == [f"sample-{i:05d}.json" for i in range(N_SAMPLES)]
    assert set(table["worker"]) <= {"worker-a", "worker-b"}
    assert "worker-a" in set(table["worker"]) and "worker-b" in set(table["worker"])
    assert (table["count"] > 0).all()
    # The same numbers as a plain loop on this computer.
    from common.data.cohort import Cohort

    cohort = Cohort(n_samples=N_SAMPLES, seed=3)
    for i in (0, N_SAMPLES - 1):
        record = study.analyse_sample(cohort.spec(), i, analysis.BONE_VOLUME)
        assert table.loc[i, "count"] == record["count"]
        assert table.loc[i, "true_count"] == record["true_count"]

    # Running it again computes nothing: the folder is complete.
    again = subprocess.run([str(BIN / "python"), "-m", "common.study", str(out),
                            "--samples", str(N_SAMPLES), "--seed", "3"],
                           capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert study.load_results(out)["sample"].tolist() == list(range(N_SAMPLES))


def test_local_cluster_background_is_quietened_unless_the_user_chose():
    import dask

    quiet = study._quiet_background()
    assert quiet == study.QUIET_BACKGROUND
    with dask.config.set({"distributed.admin.tick.interval": "100ms"}):
        assert "distributed.admin.tick.interval" not in study._quiet_background()
    with study.start_client(n_workers=1, processes=True, dashboard=False) as client:
        assert client.run(lambda: dask.config.get("distributed.worker.profile.enabled")) \
            == {a: False for a in client.scheduler_info()["workers"]}
