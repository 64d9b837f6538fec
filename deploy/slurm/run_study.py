"""Run the bone study on a SLURM cluster: dask workers as SLURM jobs (dask-jobqueue).

    python deploy/slurm/run_study.py RESULTS --samples 1090 --jobs 16
    python deploy/slurm/run_study.py RESULTS --samples 1090 --dry-run   # show the job script

This process is the study's client and holds the dask scheduler; run it where
it may run for hours and where the compute nodes can reach it (a login node
that allows it, or a job of its own: deploy/slurm/study.sbatch). It submits
up to ``--jobs`` worker jobs with the settings of ``jobqueue.yaml`` (next to
this file, or ``--config``), replaces a worker job that ends (its walltime,
a failed node) while samples remain, and runs ``common.study.run_study`` on
that cluster. Scheduler and workers talk TLS with temporary credentials
(dask-jobqueue's ``security=True``), since a cluster's network is shared with
other users; that is why the study gets the client itself here rather than
an address in ``QBI_DASK_SCHEDULER``.

Results: one file per sample in RESULTS (on this machine's file system;
the workers send their records to this process, they need no shared disk).
Interrupted (this job's walltime, a crash, Ctrl-C)? Run the same command
again: the samples already in RESULTS are not computed again.
"""
from __future__ import annotations

import argparse
import inspect
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent


def load_config(path: pathlib.Path) -> None:
    """Add the settings of a dask config file (YAML) to dask's configuration."""
    import dask.config
    import yaml

    try:
        settings = yaml.safe_load(path.read_text())
    except OSError as err:
        raise SystemExit(f"cannot read the jobqueue settings {path}: {err.strerror}") from None
    except yaml.YAMLError as err:
        raise SystemExit(f"{path} must be a dask config file (one YAML document): "
                         f"{' '.join(str(err).split())}") from None
    if not isinstance(settings, dict) or "jobqueue" not in settings:
        raise SystemExit(f"{path} must be a dask config file with a 'jobqueue:' section")
    dask.config.update(dask.config.config, settings, priority="new")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", help="output folder of the study (created if needed)")
    parser.add_argument("--samples", type=int, default=96, help="samples (default 96)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the cohort (default 0)")
    parser.add_argument("--jobs", type=int, default=8, help="at most this many worker jobs (default 8)")
    parser.add_argument("--config", type=pathlib.Path, default=HERE / "jobqueue.yaml",
                        help="dask-jobqueue settings (default: jobqueue.yaml next to this file)")
    parser.add_argument("--worker-wait", type=float, default=6 * 3600,
                        help="seconds the study waits for a worker job to start (the queue), "
                             "default 6 h")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the job script of one worker and stop")
    args = parser.parse_args(argv)
    if not 1 <= args.jobs <= 10_000:
        parser.error(f"--jobs must be from 1 to 10000, got {args.jobs}")

    load_config(args.config)
    import dask.config
    from dask_jobqueue import SLURMCluster
    from distributed import Client

    from common import study
    from common.data.cohort import Cohort

    # TLS with temporary credentials: dask's ports have no password, and the
    # scheduler must listen on the network the compute nodes share with
    # other users. The workers find the credentials in the folder
    # jobqueue.slurm.shared-temp-directory (readable by you only).
    shared = dask.config.get("jobqueue.slurm.shared-temp-directory", None)
    if shared:
        pathlib.Path(os.path.expandvars(shared)).expanduser().mkdir(mode=0o700, parents=True,
                                                                    exist_ok=True)
    with SLURMCluster(security=True) as cluster:
        if args.dry_run:
            print(cluster.job_script())
            return 0
        # Jobs as long as samples remain; a job that ends is replaced.
        cluster.adapt(minimum_jobs=1, maximum_jobs=args.jobs)
        print(f"scheduler {cluster.scheduler_address}, dashboard {cluster.dashboard_link}",
              flush=True)
        options = {}
        if "worker_timeout" in inspect.signature(study.run_study).parameters:
            options["worker_timeout"] = args.worker_wait   # the queue may take a while
        with Client(cluster) as client:
            run = study.run_study(Cohort(n_samples=args.samples, seed=args.seed), args.folder,
                                  client=client, **options)
    print(f"{len(run.computed)} samples computed, {len(run.reused)} already done, "
          f"in {run.seconds:.1f} s; results in {run.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
