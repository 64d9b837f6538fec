"""File writing shared by the data cache and the study's result files."""
from __future__ import annotations

import os
import pathlib
import tempfile
from typing import IO, Callable


def write_atomically(path: pathlib.Path, write: Callable[[IO], None], *, binary: bool) -> None:
    """Write ``path`` through a temporary file in the same folder.

    ``write(handle)`` fills the file; only when it succeeds is the file moved
    to ``path``, so a crash never leaves half a file under the real name.
    The file gets the usual permissions (mkstemp's are 0600).
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb" if binary else "w") as handle:
            write(handle)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise
