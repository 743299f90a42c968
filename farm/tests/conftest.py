"""Fixtures shared by the farm's host tests."""

import pgserver
import pytest


@pytest.fixture(scope="session")
def postgres_url():
    """The URL of a PostgreSQL server started for this test session."""
    with pgserver.postgres_server() as server:
        yield server.url
