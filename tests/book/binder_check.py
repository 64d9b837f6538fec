"""Build the Binder environment from the repository's Binder files alone, then
run chapters in it (`make binder-check`).

Binder (repo2docker) clones the repository and reads four files:
runtime.txt (the Python version), apt.txt (Debian packages), requirements.txt
(pip) and postBuild (run once at the end). This script does the same on this
machine, without Docker:

1. copies the files git tracks (what a clone holds) into an empty folder;
2. finds the Python that runtime.txt names (``python3.11`` for ``python-3.11``);
3. installs the apt.txt packages that are missing (.ci/ensure-system-packages);
4. creates a fresh virtual environment there and ``pip install -r
   requirements.txt`` in the copy;
5. runs postBuild with that environment first on the PATH and a private
   Jupyter configuration folder, and checks that it made jupytext the
   default viewer of Markdown files (so a launch link opens a chapter as a
   notebook);
6. executes chapters with nbclient in that environment: by default the first
   chapter of _toc.yml (it checks the installed versions against
   requirements.txt) and the first one that draws a graph with graphviz.

Usage: python tests/book/binder_check.py [--chapter chapters/NN-name.md ...] [--keep DIR]
Exit status 0 when every step worked; each step prints its duration.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bookinfo  # noqa: E402

RUN_CHAPTER = r"""
import sys, time
import jupytext, nbclient
path = sys.argv[1]
nb = jupytext.read(path)
start = time.perf_counter()
client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                 resources={"metadata": {"path": str(__import__("pathlib").Path(path).parent)}})
client.execute()
code = [c for c in nb.cells if c.cell_type == "code"]
outputs = sum(len(c.get("outputs", [])) for c in code)
print(f"{path}: {len(code)} code cells, {outputs} outputs, executed in {time.perf_counter() - start:.1f} s")
"""


class Failure(RuntimeError):
    pass


def step(title):
    print(f"\n--- {title}", flush=True)
    return time.perf_counter()


def done(start):
    print(f"    ({time.perf_counter() - start:.1f} s)", flush=True)


def run(cmd, **kwargs):
    shown = ["<run chapter>" if c is RUN_CHAPTER else str(c) for c in cmd]
    print("    $ " + " ".join(shown), flush=True)
    result = subprocess.run([str(c) for c in cmd], **kwargs)
    if result.returncode != 0:
        raise Failure(f"command failed with exit code {result.returncode}: {' '.join(map(str, cmd))}")
    return result


def copy_tracked_files(target: Path) -> int:
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    files = [f for f in listing.stdout.decode().split("\0") if f]
    for name in files:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return len(files)


def runtime_python(repo: Path) -> str:
    spec = (repo / "runtime.txt").read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-(\d+)\.(\d+)", spec)
    if not match:
        raise Failure(f"runtime.txt says {spec!r}; expected python-X.Y")
    wanted = f"{match.group(1)}.{match.group(2)}"
    for candidate in (f"python{wanted}", "python3", sys.executable):
        exe = shutil.which(candidate) or (candidate if Path(candidate).exists() else None)
        if exe is None:
            continue
        version = subprocess.run([exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                 capture_output=True, text=True).stdout.strip()
        if version == wanted:
            return exe
    raise Failure(f"runtime.txt asks for Python {wanted}, which is not installed "
                  f"(install python{wanted}, e.g. with pyenv or apt)")


def default_chapters() -> list[str]:
    _, docs = bookinfo.toc_docnames()
    chapters = [d for d in docs if bookinfo.is_notebook(bookinfo.source_of(d))]
    picked = chapters[:1]
    for doc in chapters:
        text = bookinfo.source_of(doc).read_text(encoding="utf-8")
        if re.search(r"\bgraphviz\b|draw_dag\(|\.visualize\(", text) and doc not in picked:
            picked.append(doc)
            break
    return [f"{doc}.md" for doc in picked]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chapter", action="append", help="chapter to execute (repeatable)")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args(argv)
    chapters = args.chapter or default_chapters()

    work = args.keep or Path(tempfile.mkdtemp(prefix="qbi-binder-"))
    if args.keep:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    repo, venv = work / "repo", work / "venv"
    repo.mkdir()
    total = time.perf_counter()
    try:
        t = step("1. the repository as a clone holds it (git ls-files)")
        print(f"    {copy_tracked_files(repo)} files copied to {repo}")
        done(t)

        t = step("2. runtime.txt")
        python = runtime_python(repo)
        print(f"    {python}")
        done(t)

        t = step("3. apt.txt")
        packages = (repo / "apt.txt").read_text(encoding="utf-8").split()
        run(["bash", ROOT / ".ci" / "ensure-system-packages", *[f"deb:{p}" for p in packages]])
        done(t)

        t = step("4. a fresh virtual environment from requirements.txt")
        run([python, "-m", "venv", venv])
        run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", "-r", "requirements.txt"], cwd=repo)
        done(t)

        env = dict(os.environ)
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(venv)
        env["JUPYTER_CONFIG_DIR"] = str(work / "jupyter-config")
        env["JUPYTER_DATA_DIR"] = str(work / "jupyter-data")
        env["IPYTHONDIR"] = str(work / "ipython")
        env["QBI_DATA_CACHE"] = str(work / "data-cache")
        env.pop("PYTHONPATH", None)

        t = step("5. postBuild")
        run(["bash", repo / "postBuild"], cwd=repo, env=env)
        overrides = work / "jupyter-config" / "labconfig" / "default_setting_overrides.json"
        if not overrides.exists():
            raise Failure(f"postBuild did not write {overrides}: .md files would open as text")
        settings = json.loads(overrides.read_text(encoding="utf-8"))
        viewers = settings.get("@jupyterlab/docmanager-extension:plugin", {}).get("defaultViewers", {})
        if viewers.get("markdown") != "Jupytext Notebook":
            raise Failure(f"postBuild did not make jupytext the default viewer of markdown: {viewers}")
        print(f"    default viewers: {viewers}")
        done(t)

        t = step("6. execute chapters in the Binder environment")
        for chapter in chapters:
            run([venv / "bin" / "python", "-c", RUN_CHAPTER, chapter], cwd=repo, env=env)
        done(t)
    except Failure as err:
        print(f"\nbinder-check FAILED: {err}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nbinder-check passed in {time.perf_counter() - total:.0f} s: "
          f"{', '.join(chapters)} ran in an environment built from runtime.txt, apt.txt, "
          "requirements.txt and postBuild alone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
