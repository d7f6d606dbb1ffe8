"""the teacher's side: the school's messaging and absent-mark rules, lessons' and
homework's versions and due dates, behaviour notes' dates, parent meetings

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, **kw: object) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **kw)


def upgrade() -> None:
    with op.batch_alter_table("schools") as batch:
        batch.add_column(
            sa.Column("students_may_write", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("mark_on_absent", sa.String(length=10), nullable=False, server_default="ask")
        )
    with op.batch_alter_table("lessons") as batch:
        batch.add_column(_ts("updated_at", nullable=True))
    with op.batch_alter_table("homework") as batch:
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
    with op.batch_alter_table("week_notes") as batch:
        batch.add_column(_ts("note_at", nullable=True))
    op.create_table(
        "parent_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        _ts("starts_at", nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        _ts("created_at", nullable=False),
        _ts("updated_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["classes.id"],
            name=op.f("fk_parent_meetings_class_id_classes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_parent_meetings_author_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parent_meetings")),
    )
    op.create_index("ix_parent_meetings_class", "parent_meetings", ["class_id", "starts_at"])


def downgrade() -> None:
    op.drop_index("ix_parent_meetings_class", table_name="parent_meetings")
    op.drop_table("parent_meetings")
    with op.batch_alter_table("week_notes") as batch:
        batch.drop_column("note_at")
    with op.batch_alter_table("homework") as batch:
        batch.drop_column("due_on")
    with op.batch_alter_table("lessons") as batch:
        batch.drop_column("updated_at")
    with op.batch_alter_table("schools") as batch:
        batch.drop_column("mark_on_absent")
        batch.drop_column("students_may_write")
