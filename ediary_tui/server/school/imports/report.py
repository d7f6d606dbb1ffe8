"""What an import did, or would do: created, changed (which fields), unchanged, refused."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Refusal:
    """A row that cannot be imported: its line, the column at fault and why."""

    line: int | None
    column: str  # the heading as the file has it; "" for the row as a whole
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "the file"
        if self.column:
            where += f', column "{self.column}"'
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Action:
    """One thing created or changed, from one line of the file."""

    line: int
    verb: str  # "create" or "change"
    what: str  # the person or the lesson, as the administrator knows them
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"line {self.line}\t{self.verb}\t{self.what}"
        return text + (f"\t{', '.join(self.fields)}" if self.fields else "")


@dataclass
class ImportReport:
    kind: str
    file: str
    dry_run: bool
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    actions: list[Action] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused

    def refuse(self, line: int | None, column: str, reason: str) -> None:
        self.refused.append(Refusal(line, column, reason))

    def create(self, line: int, what: str) -> None:
        self.created += 1
        self.actions.append(Action(line, "create", what))

    def change(self, line: int, what: str, fields: list[str]) -> None:
        self.changed += 1
        self.actions.append(Action(line, "change", what, tuple(fields)))

    def lines(self) -> list[str]:
        """The report as printed: a summary, what is (or would be) done, what is refused."""
        counts = f"{self.created} created, {self.changed} changed, {self.unchanged} unchanged"
        heading = f"{self.kind} from {self.file}"
        if self.dry_run:
            heading = f"dry run of {heading}"
        if self.ok:
            out = [f"{heading}: {counts}"]
        else:
            rows = len({r.line for r in self.refused})
            out = [f"{heading}: {rows} rows refused, nothing imported (else: {counts})"]
        out += [str(a) for a in sorted(self.actions, key=lambda a: a.line)]
        out += self.notes
        out += [str(r) for r in sorted(self.refused, key=lambda r: (r.line or 0, r.column))]
        if not self.ok:
            out.append("nothing was imported: correct the rows above and import the file again")
        elif self.dry_run:
            out.append("dry run: nothing was written")
        return out
