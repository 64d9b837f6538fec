"""Running the study on dask.distributed: results, restarts, folders, errors."""
import json
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from common import analysis, study
from common.data.cohort import Cohort

SMALL = (32, 96, 96)


@pytest.fixture(scope="module")
def client():
    """Two worker threads in this process: quick to start, enough to test."""
    with study.start_client(n_workers=2, processes=False, dashboard=False) as c:
        yield c


def test_a_small_study_writes_one_file_per_sample_and_matches_the_truth(client, tmp_path):
    cohort = Cohort(n_samples=4, seed=0, shape=SMALL)
    run = study.run_study(cohort, tmp_path / "out", client=client, progress=False)
    assert sorted(run.computed) == [0, 1, 2, 3] and run.reused == []
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["sample-00000.json", "sample-00001.json", "sample-00002.json",
                     "sample-00003.json", "study.json"]
    table = run.results
    assert table["sample"].tolist() == [0, 1, 2, 3]
    assert set(table["group"]) == {"young healthy", "young diseased", "old healthy", "old diseased"}
    error = (table["count"] - table["true_count"]).abs() / table["true_count"]
    assert error.max() <= 0.02
    assert (table["more_cells_on"] == table["true_more_cells_on"]).all()
    assert set(table["worker"]) <= {0, 1, "0", "1"}
    record = json.loads((tmp_path / "out" / "sample-00002.json").read_text())
    assert record["sample"] == 2 and record["name"] == "S0002"
    pd.testing.assert_frame_equal(study.load_results(tmp_path / "out"), table)


def test_a_second_run_reuses_everything_and_a_bigger_cohort_only_adds(client, tmp_path):
    folder = tmp_path / "out"
    study.run_study(Cohort(n_samples=2, seed=0, shape=SMALL), folder, client=client, progress=False)
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    again = study.run_study(Cohort(n_samples=2, seed=0, shape=SMALL), folder, client=client,
                            progress=False)
    assert again.computed == [] and again.reused == [0, 1]
    bigger = study.run_study(Cohort(n_samples=3, seed=0, shape=SMALL), folder, client=client,
                             progress=False)
    assert bigger.computed == [2] and bigger.reused == [0, 1]
    after = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert all(after[name] == stamp for name, stamp in before.items())
    some = study.run_study(Cohort(n_samples=3, seed=0, shape=SMALL), folder, client=client,
                           samples=[2, 0], progress=False)
    assert some.results["sample"].tolist() == [0, 2]


def test_a_folder_of_another_study_is_refused(client, tmp_path):
    folder = tmp_path / "out"
    study.run_study(Cohort(n_samples=1, seed=0, shape=SMALL), folder, client=client, progress=False)
    with pytest.raises(ValueError, match=r"holds the results of a different study \(it differs in: cohort\)"):
        study.run_study(Cohort(n_samples=1, seed=1, shape=SMALL), folder, client=client)
    with pytest.raises(ValueError, match=r"differs in: settings"):
        study.run_study(Cohort(n_samples=1, seed=0, shape=SMALL), folder, client=client,
                        settings=analysis.BONE_VOLUME.replace(sigma=1.0))


def test_files_that_are_not_ours_are_never_overwritten(client, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    stranger = folder / "sample-00000.json"
    stranger.write_text("somebody else's result")
    with pytest.raises(ValueError, match="holds sample files .* but no study.json"):
        study.run_study(Cohort(n_samples=1, shape=SMALL), folder, client=client)
    assert stranger.read_text() == "somebody else's result"
    other = tmp_path / "notes"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    study.run_study(Cohort(n_samples=1, shape=SMALL), other, client=client, progress=False)
    assert (other / "notes.txt").read_text() == "keep me"
    afile = tmp_path / "a-file"
    afile.write_text("x")
    with pytest.raises(ValueError, match="exists and is not a folder"):
        study.run_study(Cohort(n_samples=1, shape=SMALL), afile, client=client)


def failing_task(spec, sample, settings):
    if sample == 1:
        raise ArithmeticError("sample 1 is cursed")
    return {"sample": sample, "value": sample * 10}


def test_a_failing_sample_is_reported_and_the_others_are_kept(client, tmp_path):
    folder = tmp_path / "out"
    with pytest.raises(RuntimeError, match=r"1 of 3 samples failed .*\[1\].*cursed"):
        study.run_study(Cohort(n_samples=3, shape=SMALL), folder, client=client,
                        task=failing_task, progress=False)
    assert sorted(p.name for p in folder.glob("sample-*")) == ["sample-00000.json",
                                                               "sample-00002.json"]


def test_progress_bar_prints_in_a_terminal(client, tmp_path, capsys):
    study.run_study(Cohort(n_samples=3, shape=SMALL), tmp_path / "out", client=client,
                    task=failing_task, samples=[0, 2], progress=True)
    out = capsys.readouterr().out
    assert "[" + "#" * 30 + "] 2/2 samples computed (0 already done)" in out


@pytest.mark.parametrize("kwargs, error, message", [
    ({"samples": [0, 5]}, ValueError, r"samples must be numbers from 0 to 2, got 5"),
    ({"samples": [0, 0]}, ValueError, "must not repeat"),
    ({"settings": {"sigma": 1}}, TypeError, "settings must be a common.analysis.Settings, got dict"),
])
def test_bad_run_arguments(client, tmp_path, kwargs, error, message):
    with pytest.raises(error, match=message):
        study.run_study(Cohort(n_samples=3, shape=SMALL), tmp_path, client=client, **kwargs)


def test_bad_cohort_argument(tmp_path):
    with pytest.raises(TypeError, match="cohort must be a common.data.cohort.Cohort, got int"):
        study.run_study(96, tmp_path)


@pytest.mark.parametrize("kwargs, message", [
    ({"n_workers": 0}, "n_workers must be an integer from 1 to 1024, got 0"),
    ({"threads_per_worker": 0}, "threads_per_worker must be an integer from 1 to 256"),
    ({"memory_limit": "lots"}, r"memory_limit must be at least 64 MiB, .* got 'lots'"),
    ({"memory_limit": 1000}, r"memory_limit must be at least 64 MiB"),
    ({"address": "nonsense"}, r"address must be a scheduler address like 'tcp://host:8786'"),
    ({"trim_memory": "no"}, r"trim_memory must be True or False, got 'no'"),
])
def test_bad_cluster_arguments(kwargs, message, monkeypatch):
    monkeypatch.delenv(study.SCHEDULER_ENV, raising=False)
    with pytest.raises(ValueError, match=message):
        with study.start_client(**kwargs):
            pass


def test_the_scheduler_address_can_come_from_the_environment(monkeypatch):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, processes=False, dashboard_address=":0",
                      scheduler_kwargs={"dashboard": False}) as cluster:
        monkeypatch.setenv(study.SCHEDULER_ENV, cluster.scheduler_address)
        with study.start_client() as c:
            assert c.scheduler.address == cluster.scheduler_address
            assert c.submit(sum, [1, 2]).result() == 3
        # Our client is gone, the cluster we only connected to keeps running.
        assert cluster.status.name == "running"


def test_task_stream_and_worker_memory(client):
    from distributed import get_task_stream

    with get_task_stream(client) as stream:
        client.gather(client.map(lambda x: x + 1, range(4), key=[f"inc-{i}" for i in range(4)]))
    table = study.task_stream_frame(stream.data)
    assert len(table) == 4 and set(table["group"]) == {"inc"}
    assert (table["stop"] >= table["start"]).all() and table["start"].min() == 0
    memory = study.worker_memory(client)
    assert len(memory) == 2
    assert (memory["peak_MiB"] > 10).all() and (memory["limit_MiB"] == 1024).all()
    assert study.task_stream_frame([]).empty


def test_command_line_reports_bad_arguments(capsys):
    with pytest.raises(SystemExit) as stop:
        study.main(["/tmp/never-used", "--samples", "0"])
    assert stop.value.code == 2
    assert "n_samples must be an integer from 1 to 100000, got 0" in capsys.readouterr().err


# ------------------------------------------------------ kill it and restart
SLOW_TASK = '''
import pathlib, time
from common import study

LOG = pathlib.Path(__file__).with_name("calls.log")

def slow_task(spec, sample, settings):
    """The real analysis, slowed down so a run can be caught halfway."""
    time.sleep(0.2)
    record = study.analyse_sample(spec, sample, settings)
    with open(LOG, "a") as log:
        log.write(f"{sample}\\n")
    return record
'''

RUN = '''
import sys
sys.path.insert(0, {here!r})
from slowtask import slow_task
from common import study
from common.data.cohort import Cohort

with study.start_client(n_workers=1, processes=False, dashboard=False) as client:
    study.run_study(Cohort(n_samples={n}, seed=0, shape={shape}), {folder!r}, client=client,
                    task=slow_task, progress=False)
'''


def test_a_killed_run_restarts_computing_only_the_missing_samples(client, tmp_path, monkeypatch):
    n = 8
    here = str(tmp_path)
    (tmp_path / "slowtask.py").write_text(SLOW_TASK)
    folder = tmp_path / "out"
    script = tmp_path / "run.py"
    script.write_text(RUN.format(here=here, n=n, shape=SMALL, folder=str(folder)))
    process = subprocess.Popen([sys.executable, str(script)], start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(list(folder.glob("sample-*.json"))) < 2:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "the run did not get going"
            time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the whole session we started
        process.wait()
        process.stderr.close()
    finished = {int(p.name[7:12]): p.read_bytes() for p in folder.glob("sample-*.json")}
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.glob("sample-*.json")}
    assert 2 <= len(finished) < n, "the run was not caught halfway"
    first_calls = (tmp_path / "calls.log").read_text().split()
    (tmp_path / "calls.log").unlink()

    monkeypatch.syspath_prepend(here)
    from slowtask import slow_task

    run = study.run_study(Cohort(n_samples=n, seed=0, shape=SMALL), folder, client=client,
                          task=slow_task, progress=False)
    missing = sorted(set(range(n)) - set(finished))
    assert sorted(run.reused) == sorted(finished)
    assert sorted(run.computed) == missing
    second_calls = sorted(int(s) for s in (tmp_path / "calls.log").read_text().split())
    assert second_calls == missing                      # nothing finished ran twice
    assert len(first_calls) >= len(finished)
    for sample, content in finished.items():             # and was not touched
        path = study.sample_file(folder, sample)
        assert path.read_bytes() == content and path.stat().st_mtime_ns == stamps[path.name]
    assert len(run.results) == n
    assert not list(folder.glob(".sample-*"))            # no temporary files left
