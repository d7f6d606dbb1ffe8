"""running a real school: school years, holidays, rooms, enrollments, timetable
changes on lessons, people's stable keys and the audit log

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 16:00:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, **kw: object) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **kw)


def _school_year(d: dt.date) -> int:
    return d.year if d.month >= 9 else d.year - 1


def upgrade() -> None:
    op.create_table(
        "school_years",
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        _ts("opened_at", nullable=False),
        _ts("archived_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_school_years_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", "year", name=op.f("pk_school_years")),
    )
    op.create_table(
        "holidays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_holidays_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holidays")),
    )
    op.create_index("ix_holidays_school_year", "holidays", ["school_id", "year"])
    op.create_table(
        "rooms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_rooms_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
        sa.UniqueConstraint("school_id", "name", name="uq_rooms_school_name"),
    )
    op.create_table(
        "enrollments",
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["users.id"],
            name=op.f("fk_enrollments_student_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["classes.id"],
            name=op.f("fk_enrollments_class_id_classes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("student_id", "year", name=op.f("pk_enrollments")),
    )
    op.create_index("ix_enrollments_class", "enrollments", ["class_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        _ts("at", nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_audit_log_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_audit_log_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_school_id", "audit_log", ["school_id", "id"])

    with op.batch_alter_table("schools") as batch:
        batch.add_column(
            sa.Column("days_per_week", sa.Integer(), nullable=False, server_default="5")
        )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("first_name", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("patronymic", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("external_id", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_users_school_external_id", ["school_id", "external_id"])
    with op.batch_alter_table("students") as batch:
        batch.add_column(sa.Column("left_on", sa.Date(), nullable=True))
    with op.batch_alter_table("lessons") as batch:
        batch.add_column(sa.Column("change", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("change_note", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("usual_teacher_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("moved_from_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("moved_from_number", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("changed_by", sa.Integer(), nullable=True))
        batch.add_column(_ts("changed_at", nullable=True))
        batch.create_foreign_key(
            op.f("fk_lessons_usual_teacher_id_users"), "users", ["usual_teacher_id"], ["id"]
        )
        batch.create_foreign_key(
            op.f("fk_lessons_changed_by_users"), "users", ["changed_by"], ["id"]
        )

    # Classes belong to a school year: the year of their school's latest periods, or this one.
    bind = op.get_bind()
    with op.batch_alter_table("classes") as batch:
        batch.add_column(sa.Column("year", sa.Integer(), nullable=True))
    this_year = _school_year(dt.date.today())
    now = dt.datetime.now(dt.UTC)
    if bind.dialect.name == "sqlite":  # stored naive there, as schema.UTCDateTime does
        now = now.replace(tzinfo=None)
    latest = dict(
        bind.execute(sa.text("SELECT school_id, max(year) FROM periods GROUP BY school_id")).all()
    )
    for (school_id,) in bind.execute(sa.text("SELECT id FROM schools")).all():
        year = latest.get(school_id, this_year)
        bind.execute(
            sa.text("UPDATE classes SET year = :y WHERE school_id = :s"),
            {"y": year, "s": school_id},
        )
        for (period_year,) in bind.execute(
            sa.text("SELECT DISTINCT year FROM periods WHERE school_id = :s"), {"s": school_id}
        ).all() or [(year,)]:
            bind.execute(
                sa.text(
                    "INSERT INTO school_years (school_id, year, opened_at) VALUES (:s, :y, :at)"
                ),
                {"s": school_id, "y": period_year, "at": now},
            )
    bind.execute(
        sa.text(
            "INSERT INTO enrollments (student_id, year, class_id) "
            "SELECT st.user_id, c.year, c.id FROM students st JOIN classes c ON c.id = st.class_id"
        )
    )
    with op.batch_alter_table("classes") as batch:
        batch.alter_column("year", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint("uq_classes_school_year_name", ["school_id", "year", "name"])


def downgrade() -> None:
    with op.batch_alter_table("classes") as batch:
        batch.drop_constraint("uq_classes_school_year_name", type_="unique")
        batch.drop_column("year")
    with op.batch_alter_table("lessons") as batch:
        batch.drop_constraint(op.f("fk_lessons_changed_by_users"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_lessons_usual_teacher_id_users"), type_="foreignkey")
        for column in (
            "changed_at",
            "changed_by",
            "moved_from_number",
            "moved_from_date",
            "usual_teacher_id",
            "change_note",
            "change",
        ):
            batch.drop_column(column)
    with op.batch_alter_table("students") as batch:
        batch.drop_column("left_on")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_school_external_id", type_="unique")
        for column in ("external_id", "patronymic", "first_name"):
            batch.drop_column(column)
    with op.batch_alter_table("schools") as batch:
        batch.drop_column("days_per_week")
    op.drop_index("ix_audit_log_school_id", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_enrollments_class", table_name="enrollments")
    op.drop_table("enrollments")
    op.drop_table("rooms")
    op.drop_index("ix_holidays_school_year", table_name="holidays")
    op.drop_table("holidays")
    op.drop_table("school_years")
