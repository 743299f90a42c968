"""Alembic's entry point for the results database: migrations run on the connection
ResultsDB hands over (never from an ini file), with the tables of resultsdb.py as the
target."""

from alembic import context

from keelfarm.results.resultsdb import metadata

connection = context.config.attributes["connection"]
# batch mode: SQLite alters a table by copying it, and a later migration may need to
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
