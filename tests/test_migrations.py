"""Migrations build the same schema as the models, and go down again."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from regio.db import db
from tests.conftest import _reset_postgres, make_app


@pytest.fixture
def empty_app(database_url, tmp_path):
    if database_url.startswith("postgresql"):
        _reset_postgres(database_url)
    app = make_app(database_url, tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _pending_changes():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_to_head_matches_the_models(empty_app):
    upgrade()
    assert _pending_changes() == []


def test_downgrade_to_base_removes_every_table(empty_app):
    upgrade()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
