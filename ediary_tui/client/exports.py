"""Files a person takes away: a report card, homework as a calendar, a credentials sheet.

Every export is written here and in one way: into the folder the person chose
(`export_dir` in config.toml, else their documents folder; a folder typed in
the export dialog is used from then on), readable by its owner only (0600:
a child's marks, a family's one-time passwords), and never over a file that
is already there unless they said to replace it. Screens choose the words,
`export_formats` builds the content and the name; this module owns the disk.
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from pathlib import Path

from . import locations

PRIVATE = 0o600


def safe_name(text: str, fallback: str) -> str:
    """Letters and digits of `text` joined by dashes: nothing a shell or a file system minds."""
    return re.sub(r"[^\w]+", "-", text).strip("-") or fallback


def _write_new(path: Path, data: bytes) -> None:
    """Create `path` 0600 and write `data`; FileExistsError if anything is there already."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    try:
        with os.fdopen(fd, "wb") as file:
            fd = -1  # the file object owns it now
            file.write(data)
    except BaseException:
        if fd != -1:
            os.close(fd)
        path.unlink(missing_ok=True)  # ours: O_EXCL made it
        raise


class Exports:
    """Where exports go in this session, and the one way they are written."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = (folder or locations.documents_dir()).expanduser()

    def target(self, typed: str, default_name: str) -> Path:
        """The path typed in an export dialog: relative to the folder; a folder gets the name."""
        path = Path(typed.strip() or default_name).expanduser()
        if not path.is_absolute():
            path = self.folder / path
        if path.is_dir():
            path = path / default_name
        return path

    def write(
        self, path: Path, text: str, *, encoding: str = "utf-8", replace: bool = False
    ) -> Path:
        """Write `text` to `path`, 0600; FileExistsError if it is there and not to be replaced.

        Replacing writes a new file beside it and renames it over the old one, so
        the old file's mode never carries over and a failure leaves the old file whole.
        """
        data = text.encode(encoding)
        if path.parent == self.folder:
            # The default folder may not exist yet (a fresh account has no Documents).
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if replace:
            temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
            _write_new(temporary, data)
            try:
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    temporary.unlink()
                raise
        else:
            _write_new(path, data)
        self.folder = path.parent  # where the person put this one, the next one goes
        return path
