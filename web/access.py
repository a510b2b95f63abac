"""Who is asking, and what they may see: the one access check every view goes through.

A view never decides visibility on its own: searches pass ``current_user().clearance`` into the
search backend, and item, page-image and PDF views ask :func:`can_see` with the item's level
(:func:`luutru.access.item_level`, the one place access is decided). Anything a user may not see answers 404, so a
classified item's existence is not revealed either.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Callable

from flask import abort, g, redirect, request, url_for

ROLES = ("reader", "editor", "archivist", "admin")
# What each role may do besides reading (each may do everything the roles below it may): an
# editor proofreads texts for volumes, an archivist also reviews the catalogue.
ROLE_RANK = {"public": 0, "reader": 1, "editor": 2, "archivist": 3, "admin": 4}


@dataclass(frozen=True)
class User:
    """The person behind a request. ``role == "public"`` is an anonymous reader (``--public``)."""

    username: str
    role: str
    clearance: int = 0  # 0 none, 1 Mật, 2 Tối mật, 3 Tuyệt mật

    @property
    def is_anonymous(self) -> bool:
        return self.role == "public"

    def has_role(self, role: str) -> bool:
        return ROLE_RANK.get(self.role, 0) >= ROLE_RANK[role]


ANONYMOUS = User(username="", role="public", clearance=0)


def current_user() -> User | None:
    """The logged-in user, the anonymous reader in a public reading room, or None."""
    return g.get("user")


def can_see(level: int) -> bool:
    """May the current user see something that needs clearance ``level``?"""
    user = current_user()
    return user is not None and level <= user.clearance


def here() -> str:
    """This page as a ``next`` for the login page (a form's target comes back as a GET of /)."""
    return request.full_path.rstrip("?") if request.method == "GET" else "/"


def to_login():
    return redirect(url_for("auth.login", next=here()))


def login_required(view: Callable) -> Callable:
    """Send a visitor with no account (and no public reading room) to the login page."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            return to_login()
        return view(*args, **kwargs)
    return wrapped


def role_required(role: str) -> Callable[[Callable], Callable]:
    """Only logged-in users with at least ``role`` (archivist, admin) may use the view."""
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None or user.is_anonymous:
                return to_login()
            if not user.has_role(role):
                abort(403)
            return view(*args, **kwargs)
        return login_required(wrapped)
    return decorate


def audit(action: str, target: str, detail: str = "") -> None:
    """Write who did ``action`` on ``target`` and when to the audit log (every view of a
    classified item, logins, account changes). Implemented by :mod:`luutru.web.accounts`."""
    from flask import current_app
    g.classified = True  # what is audited is never kept in a browser's cache (web.auth)
    current_app.extensions["luutru.audit"](current_user(), action, target, detail)
