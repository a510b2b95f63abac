"""Placeholder: owned by the reading-room pages engineer."""

from flask import Blueprint

bp = Blueprint("reading", __name__)


@bp.get("/search")
def search():
    return "search"
