"""Bisections with their steps, and triage verdicts."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "bisections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id")),
        sa.Column("suite", sa.String(200), nullable=False),
        sa.Column("test", sa.String(500)),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("good", sa.String(100), nullable=False),
        sa.Column("bad", sa.String(100), nullable=False),
        sa.Column("rule", sa.Text),
        sa.Column("first_bad", sa.String(100)),
        sa.Column("candidates", sa.Text),
        sa.Column("confidence", sa.Float),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("finished", sa.DateTime),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("note", sa.Text))
    op.create_table(
        "bisect_steps",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("bisection_id", sa.Integer, sa.ForeignKey("bisections.id"), nullable=False,
                  index=True),
        sa.Column("commit", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("verdict", sa.String(10)),
        sa.Column("passed", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("broken", sa.Integer, nullable=False),
        sa.Column("confidence", sa.Float),
        sa.Column("note", sa.Text))
    op.create_table(
        "triages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("commit", sa.String(100), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("why", sa.Text),
        sa.Column("board_rerun", sa.String(10)),
        sa.Column("qemu_rerun", sa.String(10)),
        sa.Column("sibling", sa.String(200)),
        sa.Column("sibling_rerun", sa.String(10)),
        sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id")),
        sa.Column("created", sa.DateTime, nullable=False))


def downgrade() -> None:
    for table in ("triages", "bisect_steps", "bisections"):
        op.drop_table(table)
