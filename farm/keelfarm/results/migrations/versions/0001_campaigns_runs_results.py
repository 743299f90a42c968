"""The schema as it was before migrations: campaigns, runs, results, metrics.

A migration is a snapshot: these definitions stay as they were when this revision was
made, whatever resultsdb.py says later.  Databases made by `create_all` before Alembic
are stamped with this revision and upgraded from it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("suite", sa.String(200), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("env", sa.Text),
        sa.Column("tests_path", sa.Text),
        sa.Column("runs_wanted", sa.Integer),
        sa.Column("hours_wanted", sa.Float),
        sa.Column("pytest_args", sa.Text),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("finished", sa.DateTime),
        sa.Column("status", sa.String(20), nullable=False))
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id"), index=True),
        sa.Column("seq", sa.Integer),
        sa.Column("commit", sa.String(100), nullable=False),
        sa.Column("commit_time", sa.DateTime),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("env", sa.Text),
        sa.Column("started", sa.DateTime, nullable=False),
        sa.Column("duration", sa.Float, nullable=False),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("exit_code", sa.Integer),
        sa.Column("tests", sa.Integer, nullable=False),
        sa.Column("passed", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("skipped", sa.Integer, nullable=False),
        sa.Column("log_dir", sa.Text),
        sa.Column("note", sa.Text),
        sa.UniqueConstraint("campaign_id", "seq"))
    op.create_table(
        "results",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
        sa.Column("test", sa.String(500), nullable=False),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("duration", sa.Float),
        sa.Column("message", sa.Text),
        sa.Column("signature", sa.Text),
        sa.Column("signature_group", sa.Text, index=True),
        sa.Column("crash_kind", sa.String(20)),
        sa.Column("frames", sa.Text),
        sa.Column("log_path", sa.Text))
    op.create_table(
        "metrics",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("result_id", sa.Integer, sa.ForeignKey("results.id"), nullable=False,
                  index=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("value", sa.Float, nullable=False))


def downgrade() -> None:
    for table in ("metrics", "results", "runs", "campaigns"):
        op.drop_table(table)
