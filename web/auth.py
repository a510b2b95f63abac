"""Who is asking: login and logout, the session, CSRF, login rate limits, security headers,
error pages.

Every request first sets ``g.user`` (:mod:`luutru.web.access`): the logged-in user when the
session names an active account with the same ``session_version``, the anonymous reader in a
public reading room, else None; a visitor with None is sent to the login page from every page
but the login page and the stylesheets, whether or not a view remembered ``login_required``.

The session is Flask's signed cookie (key in ``archive/access/secret.key``), HttpOnly,
SameSite=Lax, ending 8 hours after the login however busy it is; changing a password, role or clearance, or disabling the account, bumps
its version and so ends its sessions. The cookie also carries a session token that must name an
open session in the accounts store: logging out ends it there, so a copied cookie is worthless.

Responses that may hold something classified (an audited view, anything a user with clearance
or an archivist sees) are ``Cache-Control: no-store``: nothing stays in the browser's cache
after the logout.
"""

from __future__ import annotations

import os
import tempfile
import time
from urllib.parse import urlsplit

from flask import (Blueprint, Flask, current_app, flash, g, redirect, render_template, request,
                   session, url_for)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, NotFound, MethodNotAllowed
from werkzeug.wrappers import Response

from luutru.archive import Archive
from luutru.web.access import ANONYMOUS, User, current_user, here, login_required, to_login
from luutru.web.accounts import (MIN_PASSWORD_LENGTH, AccountError, Accounts, PasswordTooShort,
                                 access_dir, username_key)
from luutru.web.ratelimit import storage_uri

bp = Blueprint("auth", __name__)

LOGIN_LIMITS = "5 per minute;30 per hour"
# Endpoints a visitor without an account may reach (the login form and its stylesheet).
OPEN_ENDPOINTS = {"auth.login", "static"}
ROLE_NAMES = {"reader": "bạn đọc", "editor": "biên tập viên", "archivist": "cán bộ lưu trữ", "admin": "quản trị",
              "public": "khách"}
CLEARANCE_NAMES_VI = {0: "không", 1: "Mật", 2: "Tối mật", 3: "Tuyệt mật"}
WRONG_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; object-src 'none'; "
                                "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
ERROR_TEXT = {
    400: ("Yêu cầu không hợp lệ", "Máy chủ không hiểu yêu cầu này. Nếu bạn vừa gửi một biểu mẫu, "
          "hãy tải lại trang rồi gửi lại."),
    403: ("Không có quyền", "Tài khoản của bạn không có quyền dùng trang này."),
    404: ("Không tìm thấy", "Không có trang hoặc tài liệu nào ở địa chỉ này."),
    405: ("Phương thức không được phép", "Trang này không nhận yêu cầu kiểu này."),
    413: ("Dữ liệu gửi lên quá lớn", "Biểu mẫu gửi lên lớn hơn mức máy chủ nhận."),
    422: ("Dữ liệu không hợp lệ", "Có trường chưa đúng. Hãy xem lại biểu mẫu rồi gửi lại."),
    429: ("Quá nhiều lần thử", "Bạn đã thử quá nhiều lần. Xin đợi một lúc rồi thử lại."),
    500: ("Lỗi máy chủ", "Đã có lỗi trong máy chủ. Xin thử lại sau; nếu lỗi còn, "
          "hãy báo cho người quản trị."),
}
CSRF_TEXT = ("Phiên làm việc hết hạn hoặc biểu mẫu không hợp lệ", "Biểu mẫu này thiếu mã bảo vệ "
             "hoặc mã đã hết hạn. Hãy tải lại trang rồi gửi lại.")


def init_app(app: Flask) -> None:
    """Sessions, CSRF, rate limits, ``g.user``, headers and error pages for the reading room."""
    archive: Archive = app.config["ARCHIVE"]
    accounts = Accounts(archive, hasher=app.config.get("PASSWORD_HASHER"))  # tests: a cheap one
    app.extensions["luutru.accounts"] = accounts
    app.extensions["luutru.audit"] = _auditor(accounts)
    app.secret_key = load_secret_key(archive)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT",
                          int(app.permanent_session_lifetime.total_seconds()))
    app.before_request(load_user)  # first, so that even a CSRF error page knows who is asking
    CSRFProtect(app)
    app.register_blueprint(bp)
    _limit_login(app)
    app.before_request(require_login)
    app.after_request(add_security_headers)
    app.register_error_handler(HTTPException, error_page)
    app.register_error_handler(500, internal_error)  # unhandled errors (tests still see them)
    app.jinja_env.globals.update(nav_url=nav_url, current_user=current_user, role_name=role_name,
                                 login_next=login_next)


# --- the secret key ---------------------------------------------------------------------------

def load_secret_key(archive: Archive) -> bytes:
    """32 random bytes kept in ``access/secret.key`` (0600), made on first use. Two servers
    starting at once agree: the key is linked into place only if none is there yet."""
    path = access_dir(archive) / archive.SESSION_KEY
    if not path.exists():
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".secret.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(os.urandom(32))
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(tmp_name, path)
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp_name)
    key = path.read_bytes()
    if len(key) < 32:
        raise RuntimeError(f"{path} is damaged (shorter than 32 bytes); delete it to make a new one")
    return key


# --- who is asking ----------------------------------------------------------------------------

def accounts() -> Accounts:
    return current_app.extensions["luutru.accounts"]


def load_user() -> None:
    g.user = _session_user() or (ANONYMOUS if current_app.config["PUBLIC"] else None)


def _session_user() -> User | None:
    name, version = session.get("user"), session.get("session_version")
    if not name:
        return None
    account = accounts().get(name)
    if account is None or not account.active or account.session_version != version \
            or _session_expired() or not accounts().session_open(session.get("sid"), name):
        session.clear()
        return None
    return account.user


def _session_expired() -> bool:
    """The cookie is renewed on every request; a session still ends this long after the login."""
    age = time.time() - session.get("login_time", 0)
    return not 0 <= age <= current_app.permanent_session_lifetime.total_seconds()


def require_login() -> Response | None:
    if g.user is None and request.endpoint not in OPEN_ENDPOINTS:
        return to_login()
    return None


def _auditor(store: Accounts):
    def write(user: User | None, action: str, target: str, detail: str = "") -> None:
        user = user or ANONYMOUS
        store.audit(user.username, user.role, action, target, detail,
                    remote=request.remote_addr or "")
    return write


# --- login and logout -------------------------------------------------------------------------

def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirect: no scheme, no host,
    no ``//`` or ``/\\`` that a browser would read as another host, no control characters)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7f for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _default_target() -> str:
    return "/search" if "reading.search" not in current_app.view_functions \
        else url_for("reading.search")


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("login.html", next_url=next_url or "", username="")
    name = request.form.get("username", "").strip()
    account = accounts().authenticate(name, request.form.get("password", ""))
    if account is None:
        _audit_as(current_user() or ANONYMOUS, "login-failed", name[:64])
        flash(WRONG_LOGIN, "error")
        return render_template("login.html", next_url=next_url or "", username=name), 200
    session.clear()  # a new session: nothing from before the login survives (no fixation)
    session.permanent = True
    session["user"] = account.username
    session["session_version"] = account.session_version
    session["login_time"] = int(time.time())
    session["sid"] = accounts().open_session(account.username)
    g.user = account.user
    _audit_as(account.user, "login", account.username)
    return redirect(next_url or _default_target())


@bp.post("/logout")
def logout():
    user = current_user()
    if user is not None and not user.is_anonymous:
        _audit_as(user, "logout", user.username)
    accounts().end_session(session.get("sid"))
    session.clear()
    flash("Bạn đã đăng xuất.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The logged-in user's own account: who they are, and a new password."""
    user = current_user()
    if user.is_anonymous:
        return to_login()
    if request.method == "POST":
        error = _change_password(user)
        if error is None:
            flash("Đã đổi mật khẩu.", "success")
            return redirect(url_for("auth.account"))
        flash(error, "error")
    return render_template("account.html", user=user, clearance=CLEARANCE_NAMES_VI[user.clearance],
                           min_length=MIN_PASSWORD_LENGTH), 200


def _change_password(user: User) -> str | None:
    """Set the new password from the form; the Vietnamese reason when it cannot be done."""
    form = request.form
    new = form.get("new_password", "")
    if accounts().authenticate(user.username, form.get("current_password", "")) is None:
        return "Mật khẩu hiện tại không đúng."
    if new != form.get("confirm_password", ""):
        return "Hai lần nhập mật khẩu mới không khớp nhau."
    try:
        accounts().set_password(user.username, new)
    except PasswordTooShort:
        return f"Mật khẩu mới phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự."
    except AccountError:
        return "Không đổi được mật khẩu này."
    # Every other session of this account has just ended; this one goes on, with a new token.
    session["session_version"] = accounts().get(user.username).session_version
    accounts().end_session(session.get("sid"))
    session["sid"] = accounts().open_session(user.username)
    _audit_as(user, "password-change", user.username)
    return None


def _audit_as(user: User, action: str, target: str, detail: str = "") -> None:
    current_app.extensions["luutru.audit"](user, action, target, detail)


def _limit_login(app: Flask) -> None:
    """Limits on POST /login per remote address (every attempt) and per user name (failed
    attempts), and on POST /account per address. The counters are kept in the archive's
    ``access/ratelimit.sqlite`` (:mod:`luutru.web.ratelimit`), shared by every worker process of
    ``luutru serve`` (app config ``RATELIMIT_STORAGE_URI`` may name another storage)."""
    limits = app.config.get("LOGIN_RATE_LIMITS", LOGIN_LIMITS)
    uri = app.config.get("RATELIMIT_STORAGE_URI") or storage_uri(app.config["ARCHIVE"])
    limiter = Limiter(get_remote_address, app=app, storage_uri=uri, headers_enabled=True)
    view = app.view_functions["auth.login"]
    view = limiter.limit(limits, methods=["POST"], key_func=_login_name_key,
                         deduct_when=lambda response: response.status_code != 302)(view)
    view = limiter.limit(limits, methods=["POST"], key_func=get_remote_address)(view)
    app.view_functions["auth.login"] = view
    # The current password asked for by the account page must not be a way round the limit.
    app.view_functions["auth.account"] = limiter.limit(
        limits, methods=["POST"], key_func=get_remote_address)(app.view_functions["auth.account"])
    app.extensions["luutru.limiter"] = limiter


def _login_name_key() -> str:
    return "name:" + username_key(request.form.get("username", ""))[:64]


# --- every response ---------------------------------------------------------------------------

def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if may_be_classified():
        response.headers["Cache-Control"] = "no-store"
    # What a reader sees is theirs: no shared cache (a proxy) may keep it for another.
    response.headers.setdefault("Cache-Control", "private")
    return response


def may_be_classified() -> bool:
    """Could this response hold something classified? An audited view did, and any page (not a
    stylesheet, not a public page image) for a user with clearance or an archivist may."""
    if g.get("classified"):
        return True
    user = current_user()
    cleared = user is not None and (user.clearance > 0 or user.has_role("archivist"))
    return cleared and request.endpoint not in ("static", "files.page_image_view")


def nav_url(path: str) -> str | None:
    """The link to ``path`` when this app serves it (others' pages may not exist yet), else None."""
    adapter = current_app.url_map.bind("", script_name=request.script_root or "/")
    try:
        adapter.match(path, method="GET")
    except (NotFound, MethodNotAllowed):
        return None
    except HTTPException:  # a redirect (e.g. a trailing slash): the page exists
        pass
    return request.script_root + path


def role_name(role: str) -> str:
    return ROLE_NAMES.get(role, role)


def login_next() -> str | None:
    """Where the login link should bring the reader back to (this page, if it was a GET)."""
    return here() if request.method == "GET" and request.endpoint != "auth.login" else None


# --- error pages ------------------------------------------------------------------------------

def error_page(error: HTTPException):
    code = error.code or 500
    if code < 400:
        return error  # a redirect raised as an exception passes through
    title, text = ERROR_TEXT.get(code, ERROR_TEXT[400 if code < 500 else 500])
    if isinstance(error, CSRFError):
        title, text = CSRF_TEXT
    return render_template("error.html", code=code, title=title, text=text), code


def internal_error(error: HTTPException):
    title, text = ERROR_TEXT[500]
    return render_template("error.html", code=500, title=title, text=text), 500
