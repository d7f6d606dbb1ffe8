"""The export dialog: where to write a file the person takes away, asking before replacing one.

The report card and the homework calendar both open it with the text to
write; the disk is `client.exports`' business (the folder, 0600, no
clobbering). A failure is said in the dialog, which stays open.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ediary_tui.client.exports import Exports
from ediary_tui.i18n import _
from ediary_tui.widgets.dialogs import ConfirmModal
from ediary_tui.widgets.keys import LocalisedKeys


class ExportModal(LocalisedKeys, ModalScreen[Path | None]):
    """Ask for the file (the export folder and the default name filled in); dismiss with its path."""

    CSS_PATH: ClassVar[list[str]] = ["../../widgets/dialogs.tcss", "export.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "keys.cancel")]

    def __init__(
        self, exports: Exports, default_name: str, text: str, *, title: str, encoding: str = "utf-8"
    ) -> None:
        super().__init__()
        self.exports = exports
        self.default_name = default_name
        self.text = text
        self.title_text = title
        self.encoding = encoding

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = self.title_text
            yield Label(_("export.prompt"), id="prompt")
            yield Input(value=str(self.exports.folder / self.default_name), id="path")
            yield Static(id="export-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#export-error").display = False

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        self.save(self.exports.target(event.value, self.default_name))

    def save(self, path: Path, *, replace: bool = False) -> None:
        """Write; a file already there is replaced only when the person says so."""
        try:
            self.exports.write(path, self.text, encoding=self.encoding, replace=replace)
        except OSError as exc:
            if isinstance(exc, FileExistsError) and not replace:
                question = _("export.replace_question", path=str(path))
                self.app.push_screen(
                    ConfirmModal(question, _("export.replace")),
                    lambda yes: self.save(path, replace=True) if yes else None,
                )
                return
            self._say(_("export.failed", path=str(path), reason=exc.strerror or str(exc)))
            return
        self.dismiss(path)

    def _say(self, text: str) -> None:
        error = self.query_one("#export-error", Static)
        error.update(Content(text))
        error.display = True

    def action_cancel(self) -> None:
        self.dismiss(None)
