"""HTTP API: one flask-smorest blueprint per resource, all registered here (and so documented
in /openapi.json). New resources (loans, portfolio, stats) add their module to BLUEPRINTS."""

from flask_smorest import Api

BLUEPRINTS = ("health", "auth", "profiles", "verification", "scores", "loans", "borrower_checks", "notifications", "rules", "web")


def register_blueprints(api: Api) -> None:
    from importlib import import_module

    for name in BLUEPRINTS:
        api.register_blueprint(import_module(f"backend.api.{name}").blp)
