"""The lock file is the environment: requirements.txt agrees with requirements.in.

``requirements.in`` lists the direct dependencies; ``requirements.txt`` is the
lock generated from it by ``make lock`` (pip-compile). These tests fail when
the two disagree, when the lock is not closed (a dependency of a locked
package is missing from it), when it holds packages nothing needs, and when
the environment the tests run in differs from the lock.
"""
import importlib.metadata as metadata
import pathlib
import re

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = pathlib.Path(__file__).resolve().parents[1]


def requirements(path):
    """The requirement lines of a pip requirements file (comments, options dropped)."""
    lines = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            lines.append(Requirement(line))
    return lines


DIRECT = requirements(ROOT / "requirements.in")
LOCK = {canonicalize_name(r.name): r for r in requirements(ROOT / "requirements.txt")}


def pinned_version(requirement):
    (spec,) = requirement.specifier
    assert spec.operator == "==", f"{requirement} in requirements.txt is not pinned with =="
    return spec.version


def test_every_lock_line_is_an_exact_pin():
    for requirement in LOCK.values():
        pinned_version(requirement)


def test_every_direct_dependency_is_locked_at_an_allowed_version():
    for requirement in DIRECT:
        name = canonicalize_name(requirement.name)
        assert name in LOCK, f"{requirement.name} is in requirements.in but not in the lock: run `make lock`"
        version = pinned_version(LOCK[name])
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements.in asks for {requirement}, the lock has {version}: run `make lock`")


def walk_lock():
    """Follow every dependency (with the extras asked for) from requirements.in.

    Returns the set of packages reached and the list of dependencies that are
    not in the lock, as ``"parent -> requirement"``.
    """
    environment = default_environment()
    todo = [(canonicalize_name(r.name), frozenset(r.extras)) for r in DIRECT]
    seen, missing = set(), []
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        for line in metadata.requires(name) or []:
            dep = Requirement(line)
            if dep.marker and not any(dep.marker.evaluate({**environment, "extra": extra})
                                      for extra in {"", *extras}):
                continue
            dep_name = canonicalize_name(dep.name)
            if dep_name not in LOCK:
                missing.append(f"{name} -> {dep}")
                continue
            todo.append((dep_name, frozenset(dep.extras)))
    return {name for name, _ in seen}, missing


def test_the_lock_is_closed_and_has_nothing_extra():
    reached, missing = walk_lock()
    assert not missing, f"dependencies missing from requirements.txt (run `make lock`): {missing}"
    extra = sorted(set(LOCK) - reached - {"pip", "setuptools"})
    assert not extra, f"locked but needed by nothing in requirements.in (run `make lock`): {extra}"


def test_this_environment_is_the_lock():
    wrong = []
    for name, requirement in LOCK.items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != pinned_version(requirement):
            wrong.append(f"{name}: locked {pinned_version(requirement)}, installed {installed}")
    wrong = [w for w in wrong if not w.startswith(("pip:", "setuptools:"))]
    assert not wrong, "the environment differs from requirements.txt (run `make setup`): " + "; ".join(wrong)


@pytest.mark.parametrize("path", ["requirements.in", "requirements.txt"])
def test_the_book_itself_is_not_in_the_lock(path):
    # `pip install -e .` comes after the lock (Makefile, postBuild): an
    # editable line would turn into this machine's absolute path in the lock.
    text = (ROOT / path).read_text()
    assert not re.search(r"^-e\s", text, re.M), f"{path} must not install the book's own package"
