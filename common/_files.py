"""File writing shared by the data cache and the study's result files.

Files are written through a temporary file in the same folder,
``.<final name>.<8 random characters>.tmp``, which is renamed to the final
name only when it is complete. A process killed while writing leaves that
temporary behind; :func:`clean_stale_temporaries` removes such leftovers, and
only those: a name of exactly this form for a final name the caller owns,
owned by this user, not changed for :data:`STALE_SECONDS`, and (where the
system can tell, on Linux) not open in any process.
"""
from __future__ import annotations

import os
import pathlib
import re
import stat
import tempfile
import time
from typing import IO, Callable

#: A temporary untouched for this long (seconds) is a leftover, not a write
#: in progress (a write keeps changing its file's modification time).
STALE_SECONDS = 600.0


def write_atomically(path: pathlib.Path, write: Callable[[IO], None], *, binary: bool,
                     mode: int = 0o666) -> None:
    """Write ``path`` through a temporary file in the same folder.

    ``write(handle)`` fills the file; only when it succeeds is the file moved
    to ``path``, so a crash never leaves half a file under the real name.
    The file gets the permissions ``mode`` less the umask, as a file made
    with ``open`` would (mkstemp's own are 0600).
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb" if binary else "w") as handle:
            write(handle)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, mode & ~umask)
        os.replace(tmp, path)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise


def temporary_pattern(final: str) -> re.Pattern:
    """The names :func:`write_atomically` gives temporaries of files matching ``final``.

    ``final`` is a regular expression for the final file names (e.g.
    ``r"sample-\\d{5,}\\.json"``).
    """
    return re.compile(rf"^\.(?:{final})\.[a-z0-9_]{{8}}\.tmp$")


def _open_somewhere(files: dict) -> set:
    """Which of ``files`` ((device, inode) -> path) a process has open.

    Reads ``/proc/<pid>/fd`` on Linux (processes of other users are not
    visible to a normal user, but neither can they write in a private
    folder); elsewhere returns an empty set, and age alone decides.
    """
    found = set()
    proc = pathlib.Path("/proc")
    if not files or not proc.is_dir():
        return found
    for fd_dir in proc.glob("[0-9]*/fd"):
        try:
            entries = list(os.scandir(fd_dir))
        except OSError:
            continue
        for entry in entries:
            try:
                info = os.stat(entry.path)
            except OSError:
                continue
            key = (info.st_dev, info.st_ino)
            if key in files:
                found.add(files[key])
    return found


def clean_stale_temporaries(folder: pathlib.Path, final: str, *,
                            max_age: float = STALE_SECONDS) -> list[pathlib.Path]:
    """Remove leftover temporaries of :func:`write_atomically` from ``folder``.

    Only regular files named like a temporary of a final name matching
    ``final`` (see :func:`temporary_pattern`), owned by this user, older than
    ``max_age`` seconds and not open in any process are removed. Returns the
    removed paths. Errors (a folder that cannot be listed, a file that
    vanished) are ignored: cleaning is a courtesy, never a reason to fail.
    """
    pattern = temporary_pattern(final)
    now = time.time()
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    candidates = {}
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if not pattern.match(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if (stat.S_ISREG(info.st_mode) and (uid is None or info.st_uid == uid)
                and now - info.st_mtime > max_age):
            candidates[(info.st_dev, info.st_ino)] = pathlib.Path(entry.path)
    busy = _open_somewhere(candidates)
    removed = []
    for path in candidates.values():
        if path in busy:
            continue
        try:
            path.unlink()
        except OSError:
            continue
        removed.append(path)
    return sorted(removed)
