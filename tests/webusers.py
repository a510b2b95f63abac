"""The reading room with a few real accounts, for the browse/review/basket view tests: one app
per archive copy, and a test client logged in as one of them through the real login form."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from luutru.archive import Archive
from luutru.web import create_app

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "mật khẩu đủ dài"
# name → (role, clearance)
USERS = {"doc0": ("reader", 0), "doc1": ("reader", 1),
         "luutru0": ("archivist", 0), "luutru1": ("archivist", 1)}


def make_app(archive: Archive, **config) -> Flask:
    app = create_app(archive, config={"PASSWORD_HASHER": FAST, "TESTING": True,
                                      "LOGIN_RATE_LIMITS": "1000 per minute", **config})
    accounts = app.extensions["luutru.accounts"]
    for name, (role, clearance) in USERS.items():
        if accounts.get(name) is None:
            accounts.add_user(name, PASSWORD, role, clearance)
    return app


def csrf_token(client: FlaskClient, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def client_as(app: Flask, username: str | None) -> FlaskClient:
    """A test client, logged in as ``username`` (None: a visitor without an account)."""
    client = app.test_client()
    if username:
        response = client.post("/login", data={"username": username, "password": PASSWORD,
                                               "csrf_token": csrf_token(client, "/login")})
        assert response.status_code == 302, response.get_data(as_text=True)
    return client
