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


# ------------------------------------------------- nothing listens outside
def _descendants(pid):
    """``pid`` and every process below it (from /proc/*/stat)."""
    parents = {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        found.add(p)
        todo.extend(parents.get(p, ()))
    return found


def _ip(hex_address):
    import ipaddress

    raw = bytes.fromhex(hex_address)
    # /proc/net/tcp* writes each 32-bit word in the machine's (little-endian) order
    raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(raw))


def listening_addresses(pids):
    """``(ip, port)`` of every TCP socket listening in the processes ``pids``."""
    inodes = set()
    for pid in pids:
        for fd in pathlib.Path(f"/proc/{pid}/fd").glob("*"):
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in pathlib.Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:   # 0A: LISTEN
                address, port = fields[1].split(":")
                found.add((_ip(address), int(port, 16)))
    return found


@pytest.mark.skipif(not pathlib.Path("/proc/net/tcp").exists(), reason="reads Linux's /proc")
@pytest.mark.parametrize("processes", [True, False])
def test_a_local_cluster_listens_on_this_computer_only(processes):
    before = listening_addresses(_descendants(os.getpid()))
    with study.start_client(n_workers=1, processes=processes, memory_limit="512MiB") as c:
        assert c.dashboard_link.startswith("http://127.0.0.1:")
        opened = listening_addresses(_descendants(os.getpid())) - before
    ports = {port for _, port in opened}
    assert int(c.dashboard_link.split(":")[2].split("/")[0]) in ports
    if processes:   # scheduler, nanny and worker ports too
        assert len(opened) >= 4, opened
    assert {ip for ip, _ in opened} <= {"127.0.0.1", "::1"}, opened


# ------------------------------------------- every wait has an end and a message
def bounded(function, seconds):
    """Run ``function()`` in a thread; fail the test if it takes longer than ``seconds``."""
    import threading

    outcome = {}

    def run():
        try:
            outcome["value"] = function()
        except BaseException as err:  # noqa: BLE001 - handed to the test
            outcome["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    start = time.monotonic()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s"
    return outcome, time.monotonic() - start


@pytest.fixture(scope="module")
def idle_cluster():
    """A scheduler without workers, with its dashboard (a web server) on 127.0.0.1."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=0, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as cluster:
        yield cluster


def test_a_web_port_instead_of_a_scheduler_fails_within_the_timeout(idle_cluster, monkeypatch):
    monkeypatch.delenv(study.SCHEDULER_ENV, raising=False)
    monkeypatch.setattr(study, "CONNECT_TIMEOUT", 2, raising=False)
    port = idle_cluster.dashboard_link.split(":")[2].split("/")[0]
    outcome, seconds = bounded(lambda: study.start_client(f"tcp://127.0.0.1:{port}"), 30)
    error = outcome.get("error")
    assert isinstance(error, TimeoutError), outcome
    assert f"no answer from the dask scheduler at tcp://127.0.0.1:{port} within 2 s" in str(error)
    assert "8787 is its dashboard" in str(error)
    assert seconds < 10


def test_a_closed_port_fails_within_the_timeout(monkeypatch):
    import socket

    with socket.socket() as s:          # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    outcome, seconds = bounded(lambda: study.start_client(f"tcp://127.0.0.1:{port}", timeout=2), 30)
    error = outcome.get("error")
    assert isinstance(error, ConnectionError), outcome
    assert f"cannot connect to the dask scheduler at tcp://127.0.0.1:{port} within 2 s" in str(error)
    assert "(nothing accepted the connection); is it running?" in str(error) and seconds < 10


def test_a_host_name_that_does_not_resolve_fails_at_once():
    outcome, seconds = bounded(lambda: study.start_client("tcp://no-such-host.invalid:8786",
                                                          timeout=10), 30)
    error = outcome.get("error")
    assert isinstance(error, ConnectionError), outcome
    assert "the host name 'no-such-host.invalid' cannot be resolved" in str(error)
    assert seconds < 10


def test_a_program_that_answers_something_else_is_named():
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def banner():   # like an SSH server: greets every connection with a line of text
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.sendall(b"SSH-2.0-OpenSSH_9.2 something that is not dask\r\n" * 4)

    threading.Thread(target=banner, daemon=True).start()
    try:
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        outcome, seconds = bounded(lambda: study.start_client(address, timeout=5), 30)
    finally:
        server.close()
    error = outcome.get("error")
    assert isinstance(error, (ConnectionError, TimeoutError)), outcome
    assert f"at {address}" in str(error) and "8787 is its dashboard" in str(error)
    assert seconds < 10


@pytest.mark.parametrize("address", ["http://127.0.0.1:8787", "tcp://127.0.0.1", "tcp://:8786"])
def test_addresses_that_are_not_dask_addresses(address):
    with pytest.raises(ValueError, match=f"address must be a scheduler address like "
                                         f"'tcp://host:8786', got '{address}'"):
        study.start_client(address)


def test_a_scheduler_that_dies_during_a_run_stops_it_with_a_message(tmp_path):
    import threading

    from distributed import Client, LocalCluster

    folder = tmp_path / "out"
    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                           host="127.0.0.1", dashboard_address=None)
    try:
        with Client(cluster) as c:
            def kill():
                deadline = time.monotonic() + 30
                while not study.sample_file(folder, 0).exists() and time.monotonic() < deadline:
                    time.sleep(0.02)
                cluster.close()
            threading.Thread(target=kill, daemon=True).start()
            outcome, seconds = bounded(lambda: study.run_study(
                Cohort(n_samples=20, shape=SMALL), folder, client=c, task=slow_task,
                progress=False, worker_timeout=5), 90)
    finally:
        cluster.close()
    error = outcome.get("error")
    assert isinstance(error, ConnectionError), outcome
    assert "lost the connection to the dask scheduler at tcp://127.0.0.1:" in str(error)
    assert "samples still to compute" in str(error) and "finished ones are written" in str(error)
    assert 1 <= len(list(folder.glob("sample-*.json"))) < 20


def test_a_worker_address_is_not_taken_for_a_scheduler():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=None) as cluster:
        worker = next(iter(cluster.scheduler.workers))
        with pytest.raises(ConnectionError, match=f"{worker} answers, but it is a dask Worker, "
                                                  "not a scheduler"):
            study.start_client(worker, timeout=5)


def test_a_scheduler_without_workers_stops_with_a_message(idle_cluster, tmp_path, monkeypatch):
    from distributed import Client

    monkeypatch.setattr(study, "WORKER_TIMEOUT", 1, raising=False)
    folder = tmp_path / "out"
    with Client(idle_cluster.scheduler_address) as c:
        outcome, seconds = bounded(lambda: study.run_study(
            Cohort(n_samples=2, shape=SMALL), folder, client=c, progress=False), 30)
    error = outcome.get("error")
    assert isinstance(error, TimeoutError), outcome
    assert f"the dask scheduler at {idle_cluster.scheduler_address} has no workers " \
           "(waited 1 s)" in str(error)
    assert not folder.exists()           # nothing written before the cluster can work
    assert seconds < 10


def slow_task(spec, sample, settings):
    time.sleep(0.3)
    return {"sample": sample, "value": sample}


def test_workers_that_vanish_during_a_run_stop_it_with_a_message(tmp_path, monkeypatch):
    import threading

    from distributed import Client, LocalCluster

    monkeypatch.setattr(study, "WORKER_TIMEOUT", 1, raising=False)
    folder = tmp_path / "out"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as c:
        def scale_down():
            deadline = time.monotonic() + 30
            while not study.sample_file(folder, 0).exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            cluster.scale(0)
        threading.Thread(target=scale_down, daemon=True).start()
        outcome, seconds = bounded(lambda: study.run_study(
            Cohort(n_samples=20, shape=SMALL), folder, client=c, task=slow_task,
            progress=False), 60)
    error = outcome.get("error")
    assert isinstance(error, TimeoutError), outcome
    assert "has had no workers for 1 s" in str(error) and "start workers and run" in str(error)
    written = sorted(folder.glob("sample-*.json"))
    assert 1 <= len(written) < 20      # what was done is kept


# ----------------------------------------------------------- the command line
def test_command_line_connection_error_is_one_line_and_writes_nothing(tmp_path, capsys):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = tmp_path / "results"
    status = study.main([str(folder), "--samples", "2", "--scheduler",
                         f"tcp://127.0.0.1:{port}", "--timeout", "1"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("python -m common.study: error: cannot connect "
                                                   f"to the dask scheduler at tcp://127.0.0.1:{port}")
    assert "Traceback" not in err
    assert not folder.exists()


def test_command_line_without_workers_is_one_line_and_writes_nothing(idle_cluster, tmp_path, capsys):
    folder = tmp_path / "results"
    status = study.main([str(folder), "--samples", "2", "--scheduler",
                         idle_cluster.scheduler_address, "--worker-timeout", "1"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "has no workers (waited 1 s)" in err
    assert not folder.exists()


def test_command_line_exit_status_of_failed_samples_and_interruptions(monkeypatch, tmp_path, capsys):
    def failing(*args, **kwargs):
        raise study.SamplesFailedError("2 of 5 samples failed")

    monkeypatch.setattr(study, "run_study", failing)
    assert study.main([str(tmp_path)]) == 1
    assert capsys.readouterr().err == "python -m common.study: error: 2 of 5 samples failed\n"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(study, "run_study", interrupted)
    assert study.main([str(tmp_path)]) == 130
    assert "interrupted; the samples finished so far are kept" in capsys.readouterr().err


def _command_line(folder, n):
    return subprocess.run(
        [sys.executable, "-m", "common.study", str(folder), "--samples", str(n),
         "--workers", "1", "--memory-limit", "1GiB"],
        capture_output=True, text=True, timeout=300, cwd=folder.parent)


def test_command_line_and_run_study_resume_each_others_folders(client, tmp_path):
    started_outside = tmp_path / "from-the-command-line"
    done = _command_line(started_outside, 2)
    assert done.returncode == 0, done.stderr
    assert "2 samples computed, 0 already done" in done.stdout
    manifest = json.loads((started_outside / "study.json").read_text())
    assert manifest["task"] == "common.study.analyse_sample"
    run = study.run_study(Cohort(n_samples=3, seed=0), started_outside, client=client,
                          progress=False)
    assert run.reused == [0, 1] and run.computed == [2]

    started_inside = tmp_path / "from-python"
    study.run_study(Cohort(n_samples=2, seed=0), started_inside, client=client, progress=False)
    done = _command_line(started_inside, 3)
    assert done.returncode == 0, done.stderr
    assert "1 samples computed, 2 already done" in done.stdout


# ------------------------------------------- the default folder, kept across runs
def test_the_default_folder_is_in_the_users_cache_and_named_after_the_study(monkeypatch, tmp_path):
    monkeypatch.delenv(study.RESULTS_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = study.results_root()
    if sys.platform.startswith("linux"):
        assert root == tmp_path / "cache" / "qbi-book" / "study"
    assert root.parts[-2:] == ("qbi-book", "study")
    small, large = Cohort(n_samples=32, seed=0), Cohort(n_samples=1090, seed=0)
    folder = study.results_folder(small)
    assert folder == study.results_folder(large) and folder.parent == root
    assert folder.name.startswith("bone-study-seed0-48x128x128-")
    others = {study.results_folder(Cohort(n_samples=32, seed=1)),
              study.results_folder(Cohort(n_samples=32, seed=0, shape=SMALL)),
              study.results_folder(small, analysis.BONE_VOLUME.replace(threshold=100)),
              study.results_folder(small, task=lambda spec, sample, settings: {})}
    assert folder not in others and len(others) == 4
    monkeypatch.setenv(study.RESULTS_ENV, str(tmp_path / "elsewhere"))
    assert study.results_folder(small).parent == tmp_path / "elsewhere"
    assert not (tmp_path / "elsewhere").exists() and not (tmp_path / "cache").exists()
    with pytest.raises(TypeError, match="cohort must be a common.data.cohort.Cohort, got int"):
        study.results_folder(32)


def test_a_larger_cohort_in_the_default_folder_computes_only_the_new_samples(client, tmp_path,
                                                                            monkeypatch):
    monkeypatch.setenv(study.RESULTS_ENV, str(tmp_path / "cache"))
    first = study.run_study(Cohort(n_samples=2, seed=0, shape=SMALL), client=client, progress=False)
    assert sorted(first.computed) == [0, 1] and first.reused == []  # in arrival order
    assert first.folder == study.results_folder(Cohort(n_samples=2, seed=0, shape=SMALL))
    assert first.folder.parent == tmp_path / "cache"
    bigger = study.run_study(Cohort(n_samples=5, seed=0, shape=SMALL), client=client,
                             progress=False)
    assert bigger.folder == first.folder
    assert bigger.reused == [0, 1] and sorted(bigger.computed) == [2, 3, 4]
    timing = ["seconds", "cpu_seconds", "worker"]
    pd.testing.assert_frame_equal(bigger.results.iloc[:2].drop(columns=timing),
                                  first.results.drop(columns=timing))


def test_the_command_line_without_a_folder_continues_the_notebooks_default_folder(
        client, tmp_path, monkeypatch):
    monkeypatch.setenv(study.RESULTS_ENV, str(tmp_path / "cache"))   # the child inherits it
    run = study.run_study(Cohort(n_samples=1, seed=0), client=client, progress=False)
    done = subprocess.run([sys.executable, "-m", "common.study", "--samples", "2",
                           "--workers", "1", "--memory-limit", "1GiB"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 samples computed, 1 already done" in done.stdout
    assert f"results in {run.folder}" in done.stdout
    assert sorted(p.name for p in run.folder.iterdir()) == [
        "sample-00000.json", "sample-00001.json", "study.json"]


def test_the_build_and_the_tests_use_a_temporary_folder(monkeypatch):
    from booktools import study_folder

    assert study_folder.ENV == study.RESULTS_ENV
    monkeypatch.setenv(study.RESULTS_ENV, "/somewhere/chosen")
    assert study_folder.use_a_temporary_study_folder() == "/somewhere/chosen"
    monkeypatch.delenv(study.RESULTS_ENV)
    folder = study_folder.use_a_temporary_study_folder()
    try:
        assert os.environ[study.RESULTS_ENV] == folder and os.path.isdir(folder)
        assert study.results_root() == pathlib.Path(folder) and not os.listdir(folder)
    finally:
        os.rmdir(folder)


# ------------------------------------------------------ records that lie
def test_a_changed_record_is_noticed_and_computed_again(client, tmp_path):
    folder = tmp_path / "out"
    cohort = Cohort(n_samples=3, seed=0, shape=SMALL)
    first = study.run_study(cohort, folder, client=client, progress=False)
    path = study.sample_file(folder, 1)
    record = json.loads(path.read_text())
    assert study.CHECKSUM in record and study.CHECKSUM not in first.results
    true_count = record["count"]
    record["count"] = 999999                          # valid JSON, wrong number
    path.write_text(json.dumps(record, indent=1))
    with pytest.warns(RuntimeWarning, match=r"1 result file\(s\) in .* are damaged or do not "
                      r"belong to this study \(sample-00001.json: its checksum does not match"):
        table = study.load_results(folder)
    assert table["sample"].tolist() == [0, 2]
    with pytest.warns(RuntimeWarning, match="sample-00001.json: its checksum.*computed again"):
        again = study.run_study(cohort, folder, client=client, progress=False)
    assert again.computed == [1] and again.reused == [0, 2]
    assert json.loads(path.read_text())["count"] == true_count
    timing = ["seconds", "cpu_seconds", "worker"]
    pd.testing.assert_frame_equal(again.results.drop(columns=timing),
                                  first.results.drop(columns=timing))


def test_a_record_of_another_study_is_not_reused(client, tmp_path):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    study.run_study(Cohort(n_samples=1, seed=0, shape=SMALL), ours, client=client, progress=False)
    study.run_study(Cohort(n_samples=2, seed=1, shape=SMALL), theirs, client=client, progress=False)
    (ours / "sample-00001.json").write_bytes((theirs / "sample-00001.json").read_bytes())
    with pytest.warns(RuntimeWarning, match="sample-00001.json: its checksum"):
        run = study.run_study(Cohort(n_samples=2, seed=0, shape=SMALL), ours, client=client,
                              progress=False)
    assert run.computed == [1]


# ------------------------------------------------- a folder we cannot write
def _refuse_writing_in(monkeypatch, folder):
    real = os.access

    def access(path, mode, **kwargs):
        if pathlib.Path(path).absolute() == folder.absolute() and mode & os.W_OK:
            return False
        return real(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)


def counting_task(spec, sample, settings):
    CALLS.append(sample)
    return {"sample": sample}


CALLS = []


def test_an_unwritable_folder_is_refused_before_anything_is_computed(client, tmp_path, monkeypatch):
    CALLS.clear()
    locked = tmp_path / "locked"
    locked.mkdir()
    _refuse_writing_in(monkeypatch, locked)
    with pytest.raises(PermissionError, match=f"the output folder {locked} is not writable by "
                                              "this user; choose a folder you can write in"):
        study.run_study(Cohort(n_samples=2, shape=SMALL), locked, client=client,
                        task=counting_task, progress=False)
    inside = locked / "new" / "results"
    with pytest.raises(PermissionError, match=f"the output folder {inside} cannot be made: "
                                              f"{locked} is not writable"):
        study.run_study(Cohort(n_samples=2, shape=SMALL), inside, client=client,
                        task=counting_task, progress=False)
    assert CALLS == [] and list(locked.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root may write anywhere; the test above simulates the refusal")
def test_a_read_only_folder_for_real(client, tmp_path):
    CALLS.clear()
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        with pytest.raises(PermissionError, match="is not writable by this user"):
            study.run_study(Cohort(n_samples=2, shape=SMALL), locked, client=client,
                            task=counting_task, progress=False)
    finally:
        locked.chmod(0o700)
    assert CALLS == []


def test_a_disk_that_fills_up_stops_the_run_with_a_message(client, tmp_path, monkeypatch):
    import errno

    folder = tmp_path / "out"
    real = study._write_json

    def full(path, content):
        if path.name == "sample-00001.json":
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, content)

    monkeypatch.setattr(study, "_write_json", full)
    with pytest.raises(OSError, match=r"cannot write the result of sample 1 in .*out \(No space "
                                      r"left on device\); the results written so far are kept"):
        study.run_study(Cohort(n_samples=3, shape=SMALL), folder, client=client,
                        task=slow_task, samples=[0, 1, 2], progress=False)
    monkeypatch.setattr(study, "_write_json", real)       # room again: resume, same client
    run = study.run_study(Cohort(n_samples=3, shape=SMALL), folder, client=client,
                          task=slow_task, progress=False)
    assert 1 in run.computed and len(run.results) == 3


# ------------------------------------------------- leftovers of killed runs
def test_only_stale_temporaries_of_our_own_files_are_removed(client, tmp_path):
    folder = tmp_path / "out"
    study.run_study(Cohort(n_samples=1, shape=SMALL), folder, client=client, progress=False)
    old = time.time() - 3600
    stale = folder / ".sample-00003.json.k2j4h5g6.tmp"       # left by a killed run
    in_flight = folder / ".sample-00004.json.a1b2c3d4.tmp"   # another run writing now
    theirs = [folder / ".sample-notes.tmp", folder / "sample-00005.json.tmp",
              folder / ".study.json.tmp"]
    for path in [stale, in_flight, *theirs]:
        path.write_text("{")
    for path in [stale, *theirs]:
        os.utime(path, (old, old))
    study.run_study(Cohort(n_samples=2, shape=SMALL), folder, client=client, progress=False)
    assert not stale.exists()
    assert in_flight.exists() and all(p.exists() for p in theirs)


# ------------------------------------------------------ only documented types
@pytest.mark.parametrize("kwargs, message", [
    ({"processes": "no"}, "processes must be True or False, got 'no'"),
    ({"dashboard": 1}, "dashboard must be True or False, got 1"),
    ({"timeout": 0}, "timeout must be a number of seconds above 0 and at most 86400, got 0"),
    ({"timeout": "20s"}, "timeout must be a number of seconds .* got '20s'"),
])
def test_bad_client_types(kwargs, message, monkeypatch):
    monkeypatch.delenv(study.SCHEDULER_ENV, raising=False)
    with pytest.raises(ValueError, match=message):
        study.start_client(**kwargs)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"samples": {0: 1, 1: 2}}, ValueError, r"samples must be a list of sample numbers from 0 to "
                                            r"2, got \{0: 1, 1: 2\}"),
    ({"samples": "012"}, ValueError, "samples must be a list of sample numbers"),
    ({"samples": [True]}, ValueError, "samples must be numbers from 0 to 2, got True"),
    ({"progress": "no"}, ValueError, "progress must be True or False, got 'no'"),
    ({"worker_timeout": -1}, ValueError, "worker_timeout must be a number of seconds"),
    ({"task": "analyse"}, TypeError, "task must be a function"),
    ({"client": "tcp://host:8786"}, TypeError, "client must be a dask distributed.Client or None"),
])
def test_bad_run_types(client, tmp_path, kwargs, error, message):
    kwargs.setdefault("client", client)
    with pytest.raises(error, match=message):
        study.run_study(Cohort(n_samples=3, shape=SMALL), tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()


def test_bad_folder_type(client):
    with pytest.raises(TypeError, match="folder must be a path .* got 42"):
        study.run_study(Cohort(n_samples=3, shape=SMALL), 42, client=client)


def test_a_folder_inside_one_we_cannot_enter_is_a_clear_error(tmp_path, monkeypatch, capsys):
    private = tmp_path / "private"
    private.mkdir()
    real_stat = os.stat

    def stat(path, *args, **kwargs):   # what a folder of mode 0700 of another user does
        if os.fspath(path).startswith(str(private) + os.sep):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    status = study.main([str(private / "results"), "--samples", "2"])
    err = capsys.readouterr().err
    assert status == 2 and err == ("python -m common.study: error: cannot look into the output "
                                   f"folder {private / 'results'} (Permission denied: "
                                   f"{private / 'results'})\n")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_named_pipes_in_the_folder_do_not_hang_the_study(client, tmp_path):
    folder = tmp_path / "out"
    study.run_study(Cohort(n_samples=1, shape=SMALL), folder, client=client, progress=False)
    os.mkfifo(study.sample_file(folder, 1))
    cohort = Cohort(n_samples=2, shape=SMALL)

    def run():
        with pytest.warns(RuntimeWarning, match="sample-00001.json: it is not a regular file"):
            return study.run_study(cohort, folder, client=client, progress=False)

    outcome, _ = bounded(run, 60)
    assert outcome["value"].computed == [1], outcome
    other = tmp_path / "other"
    other.mkdir()
    os.mkfifo(other / "study.json")
    outcome, _ = bounded(lambda: study.run_study(cohort, other, client=client), 30)
    assert "study.json is not a file" in str(outcome.get("error")), outcome
