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


def test_search_keys_are_filled_in_for_existing_registrations(empty_app):
    from sqlalchemy import text

    upgrade(revision="0002")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO meetings (slug, title, date, venue, city, taken, sequence, is_open,"
            " is_cancelled, created_at, updated_at) VALUES ('zwolle', 'Zwolle', '2024-04-10',"
            " 'De Nieuwe Buitensociëteit', 'Zwolle', 0, 0, true, false, '2024-01-01',"
            " '2024-01-01')"))
        connection.execute(text(
            "INSERT INTO registrations (meeting_id, uid, status, name, email, role,"
            " organisation, is_under_16, has_guardian_consent, is_walk_in, locale, sequence,"
            " created_at, updated_at) SELECT id, 'u1', 'confirmed', 'Ünal de Çelik',"
            " 'unal@school.nl', 'po', 'Éénhoorn', false, false, false, 'nl', 0,"
            " '2024-01-01', '2024-01-01' FROM meetings"))
    upgrade(revision="i14_search_keys")
    with db.engine.connect() as connection:
        keys = connection.execute(text("SELECT search_key, sort_key FROM registrations")).one()
    assert keys == ("unal de celik\nunal@school.nl\neenhoorn", "celik unal de")
