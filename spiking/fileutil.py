"""Small file helpers shared by the writers of results.

Examples
--------
>>> import os, tempfile
>>> fd, path = tempfile.mkstemp()   # mkstemp makes the file readable by its owner only (0600)
>>> os.close(fd)
>>> apply_umask(path)
>>> oct(os.stat(path).st_mode & 0o777) == oct(0o666 & ~current_umask())
True
>>> os.unlink(path)
"""

from __future__ import annotations

import os

__all__ = ["apply_umask", "current_umask"]


def current_umask() -> int:
    """The process's umask (read by setting it and setting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def apply_umask(path: str) -> None:
    """Give ``path`` the mode a plainly created file would have (0666 less the umask): files made
    with ``tempfile.mkstemp`` and renamed into place are otherwise private to their owner."""
    os.chmod(path, 0o666 & ~current_umask())
