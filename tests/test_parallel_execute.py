"""Parallel execution of the chapters (booktools.parallel_execute).

Builds a tiny three-page book with the book's extensions. Two of its pages
meet at a rendezvous: each writes a file and waits for the other's, so they
print "together" only if they really ran at the same time (run one after
the other, each gives up waiting after 20 s and prints "alone"). The checks do not
time anything.
"""
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

from booktools.parallel_execute import build_jobs

PAGE = textwrap.dedent("""\
    ---
    jupytext:
      text_representation:
        extension: .md
        format_name: myst
    kernelspec:
      display_name: Python 3
      language: python
      name: python3
    ---
    # Page {name}

    ```{{code-cell}} ipython3
    {code}
    ```
    """)

MEET = textwrap.dedent("""\
    import pathlib, time
    here, other = pathlib.Path("meet-{name}"), pathlib.Path("meet-{other}")
    here.write_text("{version}")
    deadline = time.monotonic() + 20
    while not other.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    print("{name}:", "together" if other.exists() else "alone", "{version}")""")


def meet(name, other, version="v1"):
    return PAGE.format(name=name, code=MEET.format(name=name, other=other, version=version))


def write_book(root: pathlib.Path):
    (root / "lib").mkdir(parents=True)
    (root / "lib" / "helpers.py").write_text("VALUE = 1\n")
    (root / "_config.yml").write_text(textwrap.dedent("""\
        title: parallel test
        only_build_toc_files: true
        exclude_patterns: [lib, _build, "meet-*"]
        execute:
          execute_notebooks: cache
          raise_on_error: true
          timeout: 300
        sphinx:
          extra_extensions: [booktools.sphinx_cache, booktools.parallel_execute]
          config:
            qbi_common_dir: lib
        """))
    (root / "_toc.yml").write_text("format: jb-book\nroot: a\nchapters:\n  - file: b\n  - file: c\n")
    (root / "a.md").write_text(meet("a", "b"))
    (root / "b.md").write_text(meet("b", "a"))
    (root / "c.md").write_text(PAGE.format(name="c", code='print("plain c")'))


def build(root, jobs="2", expect_ok=True):
    for leftover in root.glob("meet-*"):
        leftover.unlink()
    jb = pathlib.Path(sys.executable).with_name("jupyter-book")
    env = dict(os.environ, QBI_BUILD_JOBS=jobs)
    result = subprocess.run([str(jb), "build", str(root), "-W"], capture_output=True,
                            text=True, timeout=900, env=env)
    if expect_ok:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines() if "Executed notebook in" in line]
    executed = sorted(pathlib.Path(line.split(":")[0]).stem for line in lines)
    parallel = sorted(pathlib.Path(line.split(":")[0]).stem for line in lines if "[in parallel]" in line)
    return executed, parallel, result


def html(root, name):
    return (root / "_build" / "html" / f"{name}.html").read_text()


def test_cold_build_runs_pages_side_by_side_and_caching_still_works(tmp_path):
    write_book(tmp_path)
    executed, parallel, _ = build(tmp_path)
    assert executed == parallel == ["a", "b", "c"]
    assert "a: together v1" in html(tmp_path, "a") and "b: together v1" in html(tmp_path, "b")
    assert build(tmp_path)[0] == []                         # unchanged: nothing runs
    (tmp_path / "a.md").write_text(meet("a", "b", "v2"))
    executed, parallel, _ = build(tmp_path)
    assert executed == ["a"] and parallel == []             # edited page: alone, by myst-nb
    assert "a: alone v2" in html(tmp_path, "a")
    (tmp_path / "lib" / "helpers.py").write_text("VALUE = 2\n")
    executed, parallel, _ = build(tmp_path)
    assert executed == parallel == ["a", "b", "c"]          # common/ changed: all again
    assert "a: together v2" in html(tmp_path, "a")
    assert build(tmp_path)[0] == []


def test_serial_when_one_job(tmp_path):
    write_book(tmp_path)
    (tmp_path / "a.md").write_text(PAGE.format(name="a", code='print("plain a")'))
    (tmp_path / "b.md").write_text(PAGE.format(name="b", code='print("plain b")'))
    executed, parallel, _ = build(tmp_path, jobs="1")
    assert executed == ["a", "b", "c"] and parallel == []


def test_a_failing_page_is_reported_as_without_parallel_execution(tmp_path):
    write_book(tmp_path)
    (tmp_path / "a.md").write_text(PAGE.format(name="a", code='print("plain a")'))
    (tmp_path / "b.md").write_text(PAGE.format(name="b", code='raise RuntimeError("broken b")'))
    executed, parallel, result = build(tmp_path, expect_ok=False)
    assert result.returncode != 0
    assert "broken b" in result.stdout + result.stderr
    assert "executing it in parallel failed" in result.stdout


@pytest.mark.parametrize("value", ["-1", "two", "1.5", "2000"])
def test_bad_job_count_is_a_clear_error(monkeypatch, value):
    monkeypatch.setenv("QBI_BUILD_JOBS", value)
    with pytest.raises(ValueError, match=f"QBI_BUILD_JOBS must be an integer .* got '{value}'"):
        build_jobs()


def test_job_count_defaults_to_cores(monkeypatch):
    monkeypatch.delenv("QBI_BUILD_JOBS", raising=False)
    assert build_jobs() == len(os.sched_getaffinity(0))
    assert build_jobs(3) == 3
    monkeypatch.setenv("QBI_BUILD_JOBS", "1")
    assert build_jobs(3) == 1
