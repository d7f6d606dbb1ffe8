"""idempotency keys bound to their request: method, route and body fingerprint

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: keys stored before this revision know no request and replay as they did.
    with op.batch_alter_table("idempotency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("method", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("route", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idempotency", schema=None) as batch_op:
        batch_op.drop_column("fingerprint")
        batch_op.drop_column("route")
        batch_op.drop_column("method")
