"""The Flask application: configuration and the blueprints, nothing else.

Blueprints, each in its own module: ``auth`` (login, logout, who the user is, CSRF, rate limits),
``reading`` (search, item), ``files`` (page images and PDFs, access-checked), ``browse`` (phông →
hồ sơ → văn bản), ``review`` (the archivist's queue and form), ``accessreview`` (the access
decisions, with the marks read), ``basket`` (items collected into a volume spec), ``proofing``
(editors proofread the basket's texts against the scans). Each process builds one page at a
time (:mod:`luutru.web.turns`).
"""

from __future__ import annotations

import os

from datetime import timedelta
from typing import Any

from flask import Flask, redirect, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from luutru.archive import Archive
from luutru.web.format import vn_date
from luutru.web.turns import OnePageAtATime


FILE_PATHS = ("/page/", "/document/", "/static/", "/iiif/3/")  # files, static files, IIIF tiles


def is_file_path(path: str) -> bool:
    """A request for a page image, a PDF or a static file (served without a turn)."""
    return path.startswith(FILE_PATHS)


def create_app(archive: Archive, *, public: bool = False, config: dict[str, Any] | None = None) -> Flask:
    """The reading room over ``archive``; ``public`` lets anonymous readers see the public part."""
    app = Flask(__name__)
    app.config.update(
        ARCHIVE=archive,
        PUBLIC=public,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="luutru_session",
        SESSION_COOKIE_SECURE=False,  # `luutru serve --secure-cookies` behind https
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        # The expiry is set at login; re-sending the cookie on every response would let a late
        # image response put back an older session (a basket add or a review flash lost).
        SESSION_REFRESH_EACH_REQUEST=False,
        TEMPLATES_AUTO_RELOAD=False,
        REPOSITORY=os.environ.get("LUUTRU_REPOSITORY"),  # the archive's name, for citations
    )
    app.config.update(config or {})
    app.wsgi_app = OnePageAtATime(app.wsgi_app, without_turn=is_file_path)  # luutru.web.turns
    if app.config.get("TRUSTED_PROXIES"):  # `luutru serve --behind-proxy`
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from luutru.web import (accessreview, auth, basket, browse, files, iiif, itempdf,
                            permalink, proofing, reading, review)
    auth.init_app(app)
    for module in (reading, files, itempdf, permalink, iiif, browse, review, accessreview, basket, proofing):
        app.register_blueprint(module.bp)
    app.add_template_filter(vn_date, "vn_date")

    @app.get("/")
    def home():
        return redirect(url_for("reading.search"))

    return app
