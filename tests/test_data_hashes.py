"""Every data set generates the bytes its registered SHA-256 promises.

A failure here means a generator changed its output: if that was intended,
update the sha256 in its register(...) call and re-check every chapter that
quotes its numbers (the chapters' hidden assertions will tell).
"""
import subprocess
import sys

import pytest

import common.data as data


@pytest.mark.parametrize("name", data.names())
def test_registered_sha256_matches_freshly_generated_data(name):
    generated = data.load(name, cache=False)
    assert data.fingerprint(generated) == data.get(name).sha256


def test_a_fresh_process_generates_the_same_bytes():
    # In-process caches (lru_cache in generators) cannot hide a dependence on
    # global state: a new interpreter generates everything from scratch.
    script = (
        "import common.data as d\n"
        "for n in d.names(): print(n, d.fingerprint(d.load(n, cache=False)))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], check=True,
                         capture_output=True, text=True).stdout
    fresh = dict(line.split() for line in out.splitlines())
    assert fresh == {name: data.get(name).sha256 for name in data.names()}
