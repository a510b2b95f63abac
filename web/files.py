"""Placeholder: owned by the reading-room pages engineer."""

from flask import Blueprint

bp = Blueprint("files", __name__)
