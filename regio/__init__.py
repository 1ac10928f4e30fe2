"""Regio: registration and session management for the Landelijk OPP Project's meetings."""

from __future__ import annotations

from flask import Flask

from config import INSTANCE_PATH, PROJECT_ROOT, load_config


def create_app(config: dict | str | None = None) -> Flask:
    """Build the application. `config` is a config name or a dict of overrides (tests)."""
    name = config if isinstance(config, str) else None
    settings = load_config(name if name else (config or {}).get("REGIO_CONFIG"))
    if isinstance(config, dict):
        settings.update(config)

    app = Flask(
        __name__,
        instance_path=str(INSTANCE_PATH),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(settings)

    from regio import backup, observe, startup, web

    startup.check_production(app)

    web.register_extensions(app)
    backup.hold_in_use_lock(app)
    web.register_blueprints(app)
    web.register_request_hooks(app)
    web.register_error_handlers(app)
    web.register_template_helpers(app)
    web.register_cli(app)
    observe.register_observability(app)
    return app
