"""Login, sessions, CSRF, rate limits, security headers and error pages of the reading room:
Flask's test client on a real archive, real SQLite accounts, real argon2 (cheap parameters)."""

from __future__ import annotations

import re
import stat
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import unquote

import pytest
from argon2 import PasswordHasher
from flask import abort, g

from luutru.web import create_app
from luutru.web.access import audit, current_user, role_required
from luutru.web.accounts import Accounts
from luutru.web.auth import safe_next

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "mật khẩu đủ dài"
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


def make_app(archive, **config):
    public = config.pop("public", False)
    app = create_app(archive, public=public, config={"PASSWORD_HASHER": FAST, **config})

    @app.get("/probe/whoami")
    def whoami():  # no login_required: the app-wide check must send visitors to /login
        user = current_user()
        return f"{user.username}|{user.role}|{user.clearance}"

    @app.get("/probe/archivist")
    @role_required("archivist")
    def archivist_only():
        return "ok"

    @app.get("/probe/fail")
    def fail():
        raise RuntimeError("boom")

    @app.get("/probe/gone")
    def gone():
        abort(404)

    @app.get("/probe/audit")
    def audited():  # as a view of a classified item does
        audit("view-item", "PHONG-31/HS-1991-011/1", f"level {g.user.clearance}")
        return "ok"

    return app


@pytest.fixture
def accounts(archive) -> Accounts:
    accounts = Accounts(archive, hasher=FAST)
    accounts.add_user("Lan", PASSWORD, "reader", 1)
    accounts.add_user("Minh", PASSWORD, "archivist", 0)
    return accounts


@pytest.fixture
def app(archive, accounts):
    return make_app(archive)


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, path="/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, username="Lan", password=PASSWORD, next_url=None, **kwargs):
    data = {"username": username, "password": password, "csrf_token": csrf_token(client)}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data, **kwargs)


def test_anonymous_is_sent_to_login(client):
    response = client.get("/probe/whoami?x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/probe/whoami?x%3D1"
    assert client.get("/search").headers["Location"].startswith("/login")
    assert client.get("/").status_code == 302
    page = client.get("/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="login-form"' in html and 'name="username"' in html and 'name="password"' in html
    assert client.get("/static/style.css").status_code == 200


def test_public_reading_room_lets_anonymous_readers_in(archive, accounts):
    client = make_app(archive, public=True).test_client()
    response = client.get("/probe/whoami")
    assert response.status_code == 200 and response.get_data(as_text=True) == "|public|0"
    page = client.get("/probe/gone").get_data(as_text=True)
    assert 'id="login-link"' in page and 'href="/login?next=/probe/gone"' in page
    assert client.get("/probe/archivist").headers["Location"].startswith("/login")


def test_login_ok_sets_user_and_redirects(client, accounts):
    response = login(client, username="lan")  # user names are case-insensitive
    assert response.status_code == 302 and response.headers["Location"] == "/search"
    assert client.get("/probe/whoami").get_data(as_text=True) == "Lan|reader|1"
    html = client.get("/probe/gone").get_data(as_text=True)
    assert re.search(r'id="current-user"><a id="account-link" href="/account">Lan</a> '
                     r'<span class="role">\(bạn đọc\)', html)
    assert 'id="logout-form"' in html and 'id="login-link"' not in html
    assert [(e.username, e.action) for e in accounts.audit_entries()] == [("Lan", "login")]


def test_wrong_password_shows_the_form_again(client, accounts):
    response = login(client, password="không phải mật khẩu")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<p class="flash flash-error" role="status">{WRONG}</p>' in html
    assert 'id="login-form"' in html and 'value="Lan"' in html
    assert login(client, username="ai-đó").get_data(as_text=True).count(WRONG) == 1
    assert client.get("/probe/whoami").status_code == 302
    assert [(e.action, e.target) for e in accounts.audit_entries()] == [
        ("login-failed", "Lan"), ("login-failed", "ai-đó")]


def test_disabled_account_cannot_log_in(client, accounts):
    accounts.disable("Lan")
    assert WRONG in login(client).get_data(as_text=True)


def test_session_cookie_flags_and_lifetime(archive, accounts):
    client = make_app(archive, SESSION_COOKIE_SECURE=True).test_client()
    cookie = login(client).headers["Set-Cookie"]
    assert "luutru_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    left = expires - datetime.now(timezone.utc)
    assert timedelta(hours=7, minutes=55) < left <= timedelta(hours=8)


def test_session_ends_eight_hours_after_login_even_when_used(client):
    login(client)
    with client.session_transaction() as session:
        session["login_time"] -= 8 * 3600 + 1
    response = client.get("/probe/whoami")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_login_starts_a_new_session(client):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client)
    with client.session_transaction() as session:
        assert "planted" not in session and session["user"] == "Lan"


def test_secret_key_is_kept_private_and_reused(archive, accounts, client):
    key_path = archive.root / "access" / "secret.key"
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600 and len(key_path.read_bytes()) == 32
    login(client)
    again = make_app(archive).test_client()  # a restarted server keeps its users logged in
    again.set_cookie("luutru_session", client.get_cookie("luutru_session").value)
    assert again.get("/probe/whoami").status_code == 200


@pytest.mark.parametrize("change", [
    lambda accounts: accounts.set_password("Lan", "một mật khẩu mới"),
    lambda accounts: accounts.set_clearance("Lan", 0),
    lambda accounts: accounts.set_role("Lan", "admin"),
    lambda accounts: accounts.disable("Lan"),
])
def test_account_change_ends_its_sessions(client, accounts, change):
    login(client)
    assert client.get("/probe/whoami").status_code == 200
    change(accounts)
    response = client.get("/probe/whoami")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_logout(client, accounts):
    login(client)
    token = csrf_token(client, "/probe/gone")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Bạn đã đăng xuất." in client.get("/login").get_data(as_text=True)
    assert client.get("/probe/whoami").status_code == 302
    assert [e.action for e in accounts.audit_entries()] == ["login", "logout"]


def test_post_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"username": "Lan", "password": PASSWORD})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<html lang="vi">' in html and "thiếu mã bảo vệ" in html
    login(client)
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": "giả"}).status_code == 400
    assert client.get("/probe/whoami").status_code == 200  # still logged in


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "/\tevil", "http:/evil.example", "evil.example",
])
def test_next_never_leaves_the_site(client, target):
    assert safe_next(target) is None
    assert login(client, next_url=target).headers["Location"] == "/search"


def test_next_within_the_site_is_kept(client):
    location = login(client, next_url="/item/X?q=nghị quyết#p2").headers["Location"]
    assert unquote(location) == "/item/X?q=nghị quyết#p2"


def test_login_rate_limit_per_address(client):
    statuses = [login(client, password="sai mật khẩu").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    response = login(client)  # even the right password waits now
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Quá nhiều lần thử" in html and int(response.headers["Retry-After"]) > 0


def test_login_rate_limit_per_user_name(client):
    for number in range(5):
        login(client, password="sai mật khẩu", environ_base={"REMOTE_ADDR": f"10.0.0.{number}"})
    response = login(client, environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert response.status_code == 429
    assert login(client, username="Minh", environ_base={"REMOTE_ADDR": "10.0.1.2"}).status_code == 302


def test_security_headers_on_every_response(client):
    for response in (client.get("/login"), client.get("/probe/whoami"), login(client),
                     client.get("/probe/gone"), client.get("/static/style.css")):
        headers = response.headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "script-src" not in headers["Content-Security-Policy"]  # no inline scripts
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
        cache = headers["Cache-Control"]
        assert "private" in cache or "no-cache" in cache or "no-store" in cache


def test_error_pages_are_vietnamese(archive, accounts):
    client = make_app(archive, PROPAGATE_EXCEPTIONS=False).test_client()
    login(client)
    expected = {"/probe/gone": (404, "Không tìm thấy"), "/no/such/page": (404, "Không tìm thấy"),
                "/probe/archivist": (403, "Không có quyền"), "/probe/fail": (500, "Lỗi máy chủ")}
    for path, (code, title) in expected.items():
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == code, path
        assert '<html lang="vi">' in html and f"<h1>{title}</h1>" in html and "boom" not in html
    assert client.post("/probe/gone", data={"csrf_token": csrf_token(client, "/probe/gone")}) \
        .status_code == 405


def test_archivist_passes_role_check(client):
    login(client, username="Minh")
    assert client.get("/probe/archivist").get_data(as_text=True) == "ok"


def test_audit_hook_records_who_viewed_what(client, accounts):
    login(client)
    assert client.get("/probe/audit").status_code == 200
    entry = accounts.audit_entries()[-1]
    assert (entry.username, entry.role, entry.action, entry.target, entry.detail, entry.remote) \
        == ("Lan", "reader", "view-item", "PHONG-31/HS-1991-011/1", "level 1", "127.0.0.1")


def change_password(client, current=PASSWORD, new="một mật khẩu mới", confirm=None):
    return client.post("/account", data={
        "csrf_token": csrf_token(client, "/account"), "current_password": current,
        "new_password": new, "confirm_password": new if confirm is None else confirm})


def test_account_page_changes_the_password(app, client, accounts):
    other = app.test_client()
    login(other)
    login(client)
    page = client.get("/account").get_data(as_text=True)
    assert 'id="password-form"' in page and "Ít nhất 10 ký tự." in page
    assert '<dd data-field="clearance">Mật</dd>' in page
    response = change_password(client)
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert "Đã đổi mật khẩu." in client.get("/account").get_data(as_text=True)
    assert client.get("/probe/whoami").status_code == 200  # this session goes on
    assert other.get("/probe/whoami").status_code == 302  # the other one has ended
    assert accounts.authenticate("Lan", "một mật khẩu mới") is not None
    assert accounts.audit_entries()[-1].action == "password-change"


@pytest.mark.parametrize("form, message", [
    ({"current": "sai mật khẩu"}, "Mật khẩu hiện tại không đúng."),
    ({"new": "ngắn"}, "Mật khẩu mới phải có ít nhất 10 ký tự."),
    ({"confirm": "một thứ khác hẳn"}, "Hai lần nhập mật khẩu mới không khớp nhau."),
])
def test_account_page_refuses_bad_changes(client, accounts, form, message):
    login(client)
    response = change_password(client, **form)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert accounts.authenticate("Lan", PASSWORD) is not None


def test_account_page_needs_an_account(archive, accounts):
    client = make_app(archive, public=True).test_client()
    assert client.get("/account").headers["Location"].startswith("/login")


def test_search_needs_login_unless_public(demo_archive_copy):
    Accounts(demo_archive_copy, hasher=FAST).add_user("Lan", PASSWORD)
    client = make_app(demo_archive_copy).test_client()
    assert client.get("/search?q=nghị quyết").headers["Location"].startswith("/login?next=/search")
    login(client)
    assert client.get("/search?q=nghị quyết").status_code == 200
    public = make_app(demo_archive_copy, public=True).test_client()
    assert public.get("/search?q=nghị quyết").status_code == 200


def nav_links(html: str) -> list[str]:
    nav = re.search(r'<ul class="nav-links">(.*?)</ul>', html, re.S).group(1)
    return re.findall(r'<a href="([^"]+)"', nav)


def test_header_links_by_role(client):
    login(client)
    assert nav_links(client.get("/probe/gone").get_data(as_text=True)) == [
        "/search", "/browse", "/basket"]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/probe/gone")})
    login(client, username="Minh")
    html = client.get("/browse").get_data(as_text=True)
    assert nav_links(html) == ["/search", "/browse", "/review", "/access-review", "/proof", "/basket"]
    assert '<a href="/browse" aria-current="page">' in html


def test_behind_a_proxy_the_readers_address_counts(archive, accounts):
    client = make_app(archive, TRUSTED_PROXIES=1).test_client()
    for number in range(5):
        login(client, username=f"u{number}", password="sai mật khẩu",
              headers={"X-Forwarded-For": "203.0.113.7"})
    assert login(client, username="u9", headers={"X-Forwarded-For": "203.0.113.7"}) \
        .status_code == 429
    assert login(client, headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 302
    assert {e.remote for e in accounts.audit_entries()} == {"203.0.113.7", "203.0.113.8"}
