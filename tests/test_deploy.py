"""The cluster configurations of deploy/: what can be checked without a cluster.

deploy/check_offline.py goes further where dask-jobqueue, kubernetes-validate
and dask-kubernetes are installed (they are not dependencies of the book).
"""
import importlib.metadata
import pathlib
import re
import subprocess
import sys

import pytest
import yaml

from common import study

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def documents(path):
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


def test_every_yaml_file_parses():
    files = sorted(DEPLOY.rglob("*.yaml"))
    assert {f.name for f in files} >= {"jobqueue.yaml", "daskcluster.yaml", "study-job.yaml"}
    for path in files:
        assert documents(path), path


def test_kubernetes_manifests_agree_with_each_other_and_the_study():
    (cluster,) = documents(DEPLOY / "kubernetes" / "daskcluster.yaml")
    pvc, job = documents(DEPLOY / "kubernetes" / "study-job.yaml")
    assert (cluster["kind"], pvc["kind"], job["kind"]) == ("DaskCluster", "PersistentVolumeClaim", "Job")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e["value"] for e in container["env"]}
    # The operator names the scheduler's Service <cluster>-scheduler.
    assert env[study.SCHEDULER_ENV] == f"tcp://{cluster['metadata']['name']}-scheduler:8786"
    ports = {p["name"]: p["port"] for p in cluster["spec"]["scheduler"]["service"]["ports"]}
    assert ports["tcp-comm"] == 8786
    images = {container["image"],
              cluster["spec"]["worker"]["spec"]["containers"][0]["image"],
              cluster["spec"]["scheduler"]["spec"]["containers"][0]["image"]}
    assert len(images) == 1, images
    assert container["command"][:3] == ["python", "-m", "common.study"]
    results = container["command"][3]
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert any(results.startswith(m + "/") for m in mounts), "results go to the volume"
    claim = job["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"]
    assert claim == pvc["metadata"]["name"]
    worker_args = cluster["spec"]["worker"]["spec"]["containers"][0]["args"]
    assert worker_args[:2] == ["dask", "worker"] and worker_args[worker_args.index("--nthreads") + 1] == "1"
    # The study's command line accepts the Job's arguments.
    parsed = re.findall(r"--(\w+)", " ".join(container["command"]))
    help_text = subprocess.run([sys.executable, "-m", "common.study", "--help"],
                               capture_output=True, text=True, check=True).stdout
    assert all(f"--{name}" in help_text for name in parsed)


def test_slurm_driver_loads_the_jobqueue_settings():
    import dask.config
    from dask.utils import parse_bytes

    sys.path.insert(0, str(DEPLOY / "slurm"))
    try:
        import run_study
    finally:
        sys.path.remove(str(DEPLOY / "slurm"))
    with dask.config.set({}):
        run_study.load_config(DEPLOY / "slurm" / "jobqueue.yaml")
        assert dask.config.get("jobqueue.slurm.cores") == 1
        assert dask.config.get("jobqueue.slurm.processes") == 1
        assert parse_bytes(dask.config.get("jobqueue.slurm.memory")) >= 2**30
        prologue = dask.config.get("jobqueue.slurm.job-script-prologue")
        assert any("activate" in line for line in prologue)
    with pytest.raises(SystemExit, match="must be a dask config file"):
        run_study.load_config(DEPLOY / "kubernetes" / "study-job.yaml")
    result = subprocess.run([sys.executable, str(DEPLOY / "slurm" / "run_study.py"), "--help"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "--dry-run" in result.stdout
    sbatch = (DEPLOY / "slurm" / "study.sbatch").read_text()
    assert "deploy/slurm/run_study.py" in sbatch and "#SBATCH --time" in sbatch


def _closure(names):
    """The distributions ``names`` need, with their dependencies (no extras)."""
    from packaging.requirements import Requirement

    seen, todo = set(), [n.lower().replace("_", "-") for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for line in importlib.metadata.requires(name) or []:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name.lower().replace("_", "-"))
    return seen


def test_worker_requirements_cover_what_the_tasks_import():
    listed = [line.split("#")[0].strip() for line in
              (DEPLOY / "requirements-worker.txt").read_text().splitlines()]
    listed = [name for name in listed if name]
    lock = (ROOT / "requirements.txt").read_text().lower()
    for name in listed:   # every one pinned by the book's lock
        assert re.search(rf"^{re.escape(name.lower())}==", lock, re.M), name
    code = ("import sys, common.study, common.out_of_core, common.analysis, common.data.cohort, "
            "dask.array, distributed, dask_image.ndfilters, dask_image.ndmeasure, zarr, "
            "skimage.measure, skimage.filters;"
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    modules = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout.split()
    providers = importlib.metadata.packages_distributions()
    needed = {dist.lower().replace("_", "-") for m in modules for dist in providers.get(m, [])}
    # Imported if present, not needed: setuptools' _distutils_hack (loaded by
    # site in virtual environments), numpy.f2py's optional charset_normalizer.
    needed -= {"qbi-common", "setuptools", "charset-normalizer"}
    missing = needed - _closure(listed)
    assert not missing, f"deploy/requirements-worker.txt misses {sorted(missing)}"
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "-c requirements.txt -r requirements-worker.txt" in dockerfile
