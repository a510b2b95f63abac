"""Placeholder: owned by the reading-room pages engineer."""

from flask import Blueprint

bp = Blueprint("review", __name__)
