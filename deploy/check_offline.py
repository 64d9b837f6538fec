"""Check the cluster configurations of deploy/ without a cluster.

    python deploy/check_offline.py

What it checks, each where its tool is installed (none of them is a
dependency of the book; install them in a scratch environment, e.g.
``pip install --target /tmp/deploy-tools dask-jobqueue==0.9.0
kubernetes-validate dask-kubernetes --no-deps`` and run with
``PYTHONPATH=/tmp/deploy-tools``):

* every YAML file parses (always);
* dask-jobqueue: ``slurm/jobqueue.yaml`` loads into dask's configuration and
  ``SLURMCluster`` renders a worker's job script with its settings (this
  starts a dask scheduler on this machine for a moment; no job is submitted);
* dask-jobqueue and cryptography: ``slurm/run_study.py`` end to end on this
  machine, with stand-ins for ``sbatch`` and ``scancel`` that run the worker
  jobs here (the job scripts as dask-jobqueue wrote them, TLS and all), then
  once more to see that it resumes (computes nothing);
* kubernetes-validate: ``kubernetes/study-job.yaml`` against the Kubernetes
  API's own schemas;
* dask-kubernetes: ``kubernetes/daskcluster.yaml`` against the DaskCluster
  schema of the operator's CRD (jsonschema).

Prints one line per check (ok, FAILED, or not run and why); exits 1 if a
check failed.
"""
from __future__ import annotations

import importlib.util
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
K8S_VERSION = "1.33.0"


def _yaml_documents(path):
    import yaml

    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def check_yaml():
    for path in sorted(HERE.rglob("*.yaml")):
        _yaml_documents(path)
    return f"{len(list(HERE.rglob('*.yaml')))} YAML files parse"


def check_jobqueue():
    if importlib.util.find_spec("dask_jobqueue") is None:
        return None, "dask-jobqueue is not installed"
    import dask.config

    sys.path.insert(0, str(HERE / "slurm"))
    import run_study

    run_study.load_config(HERE / "slurm" / "jobqueue.yaml")
    from dask_jobqueue import SLURMCluster

    import gc
    import shutil
    import tempfile

    shared = tempfile.mkdtemp(prefix="qbi-check-")
    try:
        with dask.config.set({"jobqueue.slurm.scheduler-options": {"host": "127.0.0.1",
                                                                    "dashboard_address": ":0"},
                              "jobqueue.slurm.shared-temp-directory": shared}):
            with SLURMCluster(security=True) as cluster:    # as run_study.py makes it
                script = cluster.job_script()
                address = cluster.scheduler_address
            del cluster
            gc.collect()
    finally:
        shutil.rmtree(shared, ignore_errors=True)
    expected = ["#SBATCH -J qbi-worker", "#SBATCH -n 1", "#SBATCH --cpus-per-task=1",
                "#SBATCH --mem=2G", "#SBATCH -t 02:00:00",
                "source $HOME/qbi-book/.venv/bin/activate", "--nthreads 1",
                "--memory-limit 2.00GiB", "--death-timeout 120", "--local-directory $TMPDIR"]
    missing = [line for line in expected if line not in script]
    if not address.startswith("tls://") or "--tls-key" not in script:
        missing.append("TLS")
    if missing:
        raise AssertionError(f"the job script lacks {missing}:\n{script}")
    return True, f"dask-jobqueue renders the worker job script ({len(script.splitlines())} lines)"


FAKE_SBATCH = """#!/bin/bash
# A stand-in for SLURM's sbatch: runs the job script on this machine.
set -e
id=$(( (RANDOM << 15) | RANDOM ))
cp "$1" "$FAKE_SLURM/job-$id.sh"
setsid bash "$FAKE_SLURM/job-$id.sh" > "$FAKE_SLURM/job-$id.log" 2>&1 < /dev/null &
echo $! > "$FAKE_SLURM/job-$id.pid"
echo "Submitted batch job $id"
"""
FAKE_SCANCEL = """#!/bin/bash
# A stand-in for SLURM's scancel: stops the jobs that sbatch started here.
for id in "$@"; do
  if [ -f "$FAKE_SLURM/job-$id.pid" ]; then kill -- -"$(cat "$FAKE_SLURM/job-$id.pid")" 2>/dev/null || true; fi
done
"""


def check_slurm_on_this_machine():
    """run_study.py end to end, with sbatch and scancel that run jobs here."""
    import os
    import shutil
    import signal
    import subprocess
    import tempfile

    import yaml

    if importlib.util.find_spec("dask_jobqueue") is None or importlib.util.find_spec("cryptography") is None:
        return None, "dask-jobqueue or cryptography is not installed"
    root = pathlib.Path(tempfile.mkdtemp(prefix="qbi-fake-slurm-"))
    try:
        fake = root / "slurm"
        fake.mkdir()
        for name, text in (("sbatch", FAKE_SBATCH), ("scancel", FAKE_SCANCEL)):
            (fake / name).write_text(text)
            (fake / name).chmod(0o755)
        # $HOME/qbi-book/.venv is this environment, as jobqueue.yaml's prologue expects.
        home = root / "home"
        (home / "qbi-book").mkdir(parents=True)
        (home / "qbi-book" / ".venv").symlink_to(pathlib.Path(sys.prefix))
        # The one change to jobqueue.yaml: listen on this machine only.
        settings = yaml.safe_load((HERE / "slurm" / "jobqueue.yaml").read_text())
        settings["jobqueue"]["slurm"]["scheduler-options"] = {"host": "127.0.0.1",
                                                              "dashboard_address": ":0"}
        config = root / "jobqueue.yaml"
        config.write_text(yaml.safe_dump(settings))
        env = dict(os.environ, PATH=f"{fake}{os.pathsep}{os.environ['PATH']}", HOME=str(home),
                   TMPDIR=str(root), FAKE_SLURM=str(fake))
        env.pop("QBI_DASK_SCHEDULER", None)
        results = root / "results"
        command = [sys.executable, str(HERE / "slurm" / "run_study.py"), str(results),
                   "--samples", "6", "--jobs", "2", "--config", str(config)]
        done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                              timeout=900)
        if done.returncode != 0:
            raise AssertionError(f"run_study.py failed: {(done.stdout + done.stderr)[-800:]}")
        files = sorted(p.name for p in results.glob("sample-*.json"))
        if files != [f"sample-{i:05d}.json" for i in range(6)]:
            raise AssertionError(f"results: {files}")
        jobs = sorted(fake.glob("job-*.sh"))
        script = jobs[0].read_text() if jobs else ""
        if "tls://127.0.0.1:" not in script:
            raise AssertionError("the worker jobs did not connect with TLS")
        again = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                               timeout=900)
        if again.returncode != 0 or "0 samples computed, 6 already done" not in again.stdout:
            raise AssertionError(f"resuming failed: {(again.stdout + again.stderr)[-800:]}")
        return True, (f"run_study.py ran 6 samples on {len(jobs)} worker jobs submitted through a "
                      "stand-in sbatch (TLS), and a second run computed none")
    finally:
        for pid_file in (root / "slurm").glob("job-*.pid"):
            try:
                os.killpg(int(pid_file.read_text()), signal.SIGKILL)
            except (ProcessLookupError, ValueError, PermissionError):
                pass
        shutil.rmtree(root, ignore_errors=True)


def check_kubernetes_job():
    if importlib.util.find_spec("kubernetes_validate") is None:
        return None, "kubernetes-validate is not installed"
    import kubernetes_validate

    documents = _yaml_documents(HERE / "kubernetes" / "study-job.yaml")
    for document in documents:
        kubernetes_validate.validate(document, K8S_VERSION, strict=True)
    kinds = ", ".join(d["kind"] for d in documents)
    return True, f"study-job.yaml ({kinds}) is valid Kubernetes {K8S_VERSION} (strict)"


def check_daskcluster():
    spec = importlib.util.find_spec("dask_kubernetes")
    if spec is None:
        return None, "dask-kubernetes is not installed"
    import jsonschema

    package = pathlib.Path(spec.origin).parent
    crd_file = (package / "operator" / "deployment" / "helm" / "dask-kubernetes-operator"
                / "crds" / "daskcluster.yaml")
    (crd,) = _yaml_documents(crd_file)
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    (document,) = _yaml_documents(HERE / "kubernetes" / "daskcluster.yaml")
    assert document["apiVersion"] == f"{crd['spec']['group']}/{crd['spec']['versions'][0]['name']}"
    assert document["kind"] == crd["spec"]["names"]["kind"]
    jsonschema.validate(document, schema)
    return True, "daskcluster.yaml is valid for the operator's DaskCluster schema"


def main() -> int:
    failed = False
    for check in (check_yaml, check_jobqueue, check_slurm_on_this_machine, check_kubernetes_job,
                  check_daskcluster):
        try:
            outcome = check()
        except Exception as err:  # noqa: BLE001 - report every check
            failed = True
            first = (str(err).strip().splitlines() or [""])[0]
            print(f"FAILED  {check.__name__}: {type(err).__name__}: {first}")
            continue
        ok, message = (True, outcome) if isinstance(outcome, str) else outcome
        print(f"{'ok     ' if ok else 'not run'} {message}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
