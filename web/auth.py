"""Placeholder: owned by the accounts engineer (login, logout, g.user, CSRF, rate limits)."""

from flask import Blueprint, Flask

bp = Blueprint("auth", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
