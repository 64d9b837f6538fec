"""The pytest plugin that runs MyST .md notebooks with nbval."""
import pathlib
import shutil
import subprocess
import sys

import pytest

from booktools.pytest_myst import has_kernelspec

HERE = pathlib.Path(__file__).parent
NOTEBOOKS = HERE / "notebooks"
ROOT = HERE.parent


def run_pytest(tmp_path, *names, extra=()):
    for name in names:
        shutil.copy(NOTEBOOKS / name, tmp_path / name)
    # A bare folder: no ini file, so only the plugin's own defaults apply.
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider",
         "-p", "no:xdist", "-v", *extra, *names],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )


def test_a_raising_cell_fails_the_run_and_names_notebook_and_cell(tmp_path):
    result = run_pytest(tmp_path, "raises.md")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED raises.md::Cell 1" in result.stdout
    assert "1 failed, 1 passed" in result.stdout
    assert "ZeroDivisionError" in result.stdout


def test_a_cell_tagged_raises_exception_passes(tmp_path):
    result = run_pytest(tmp_path, "raises_tagged.md")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_markdown_without_kernelspec_is_not_collected(tmp_path):
    result = run_pytest(tmp_path, "plain.md")
    assert result.returncode == 4 and "no match" in result.stderr, result.stdout  # not a test file


def test_nothing_is_collected_without_nbval_flags(tmp_path):
    shutil.copy(NOTEBOOKS / "raises.md", tmp_path)
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                             "raises.md"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 4 and "no match" in result.stderr, result.stdout


def test_every_chapter_is_a_notebook_and_in_the_table_of_contents():
    chapters = sorted((ROOT / "chapters").glob("lecture-[0-9][0-9]/[0-9][0-9]-*.md"))
    assert chapters, "no chapters found"
    toc = (ROOT / "_toc.yml").read_text()
    for chapter in chapters:
        assert has_kernelspec(chapter), f"{chapter.name} has no kernelspec front matter"
        docname = chapter.relative_to(ROOT).with_suffix("").as_posix()
        assert f"file: {docname}\n" in toc, f"{docname} is not in _toc.yml"


@pytest.mark.parametrize("text, expected", [
    ("---\nkernelspec:\n  name: python3\n---\n# x\n", True),
    ("---\njupytext: {}\n---\n# x\n", False),
    ("# no front matter\n", False),
    ("---\n: : not yaml [\n---\n", False),
])
def test_has_kernelspec(tmp_path, text, expected):
    path = tmp_path / "x.md"
    path.write_text(text)
    assert has_kernelspec(path) is expected
