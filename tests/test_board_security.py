"""Security rules of the board's accounts (issue 16, item 1), each checked on both stores.

| rule                                                 | test                                      |
|------------------------------------------------------|-------------------------------------------|
| passwords stored as argon2 hashes, never in clear    | test_passwords_and_tokens_are_stored_hashed |
| session cookie HttpOnly, SameSite; Secure over HTTPS | test_session_cookie_flags                 |
| CSRF token missing or wrong → 403                    | test_form_without_csrf_is_403,            |
|                                                      | test_sign_in_without_csrf_is_403          |
| viewer editing (form) → 403                          | test_viewer_cannot_edit_on_the_explorer   |
| viewer's API token → 403; editor's token writes      | test_api_tokens_by_role                   |
| revoked token / disabled user → 401                  | test_revoked_and_disabled_tokens_are_401  |
| wrong password ×N → 429 (rate limited)               | test_wrong_password_is_rate_limited       |
| no user enumeration                                  | test_unknown_user_and_wrong_password_look_alike |
| expired session → sign-in                            | test_expired_session_goes_to_sign_in      |
| no form edit without signing in                      | test_anonymous_edit_goes_to_sign_in       |
| reading may be closed (setting)                      | test_closed_reading_needs_sign_in         |
| DANVAN_API_TOKEN is a bootstrap admin                | test_bootstrap_token_writes_as_admin      |
| user management needs admin (+ CSRF)                 | test_only_admins_manage_users_on_the_web  |
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterator

import pytest

from danvan.accounts import Accounts, token_hash
from danvan.api.app import create_app
from danvan.api.web_auth import COOKIE, LOGIN_FAILURES
from danvan.config import Settings
from danvan.graph.store import Store

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what we install
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "mật-khẩu-đủ-dài"
VILLAGE = "village-commune-23488-thon-4"


def small(store: Store) -> None:
    s = store.schema
    store.write([
        s.node("Province", name="Tỉnh Kon Tum", code="62"),
        s.node("District", name="Huyện Kon Rẫy", code="614", province="province-62"),
        s.node("Commune", name="Xã Đăk Ruồng", code="23488", district="district-614"),
        s.node("Village", name="Thôn 4", commune="commune-23488"),
        s.node("Unit", name="Huyện đoàn Kon Rẫy", scope="district-614", kind="mass_organisation"),
    ])


@pytest.fixture
def board(store: Store) -> Iterator[TestClient]:
    small(store)
    accounts = Accounts(store)
    accounts.add_user("bien-tap", "editor", PASSWORD)
    accounts.add_user("chi-xem", "viewer", PASSWORD)
    with TestClient(create_app(store, Settings(api_token="bootstrap-secret"))) as client:
        yield client


def sign_in(client: TestClient, name: str, password: str = PASSWORD, csrf: bool = True) -> object:
    page = client.get("/dang-nhap")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    data = {"name": name, "password": password, "next": "/"}
    if csrf:
        data["csrf"] = token
    return client.post("/dang-nhap", data=data, follow_redirects=False)


def page_csrf(client: TestClient, path: str = f"/thuc-the/{VILLAGE}") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def add_form(csrf: str | None) -> dict[str, str]:
    data = {"target": VILLAGE, "unit": "huyen doan kon ray", "households": "4"}
    if csrf is not None:
        data["csrf"] = csrf
    return data


def test_passwords_and_tokens_are_stored_hashed(store: Store) -> None:
    accounts = Accounts(store)
    accounts.add_user("an", "editor", PASSWORD)
    secret = accounts.new_token("an")
    user = store.records.get("User", "an")
    assert user and user["password_hash"].startswith("$argon2id$") and PASSWORD not in str(user)
    assert store.records.get("ApiToken", secret) is None
    assert store.records.get("ApiToken", token_hash(secret))["user"] == "an"  # type: ignore[index]


def test_session_cookie_flags(board: TestClient) -> None:
    response = sign_in(board, "bien-tap")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert f"{COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in the test
    https = TestClient(board.app, base_url="https://testserver")
    assert "Secure" in sign_in(https, "bien-tap").headers["set-cookie"]  # type: ignore[attr-defined]


def test_sign_in_without_csrf_is_403(board: TestClient) -> None:
    assert sign_in(board, "bien-tap", csrf=False).status_code == 403  # type: ignore[attr-defined]


def test_form_without_csrf_is_403(board: TestClient, store: Store) -> None:
    sign_in(board, "bien-tap")
    for data in (add_form(None), add_form("wrong-token")):
        response = board.post("/sua/phan-cong", data=data, follow_redirects=False)
        assert response.status_code == 403
    assert not list(store.nodes("Assignment"))
    response = board.post("/sua/phan-cong", data=add_form(page_csrf(board)), follow_redirects=False)
    assert response.status_code == 303, response.text
    assert [n.props["households"] for n in store.nodes("Assignment")] == [4]


def test_viewer_cannot_edit_on_the_explorer(board: TestClient, store: Store) -> None:
    sign_in(board, "chi-xem")
    csrf = re.search(r'name="csrf" value="([^"]+)"', board.get("/").text).group(1)  # type: ignore[union-attr]
    assert "add-assignment" not in board.get(f"/thuc-the/{VILLAGE}").text
    response = board.post("/sua/phan-cong", data=add_form(csrf), follow_redirects=False)
    assert response.status_code == 403
    assert not list(store.nodes("Assignment"))


NEW = {"unit": "Huyện đoàn Kon Rẫy", "village": "thôn 4", "commune": "Đăk Ruồng"}


def test_api_tokens_by_role(board: TestClient, store: Store) -> None:
    accounts = Accounts(store)
    viewer, editor = accounts.new_token("chi-xem"), accounts.new_token("bien-tap")
    response = board.post("/api/v1/assignments", json=NEW,
                          headers={"Authorization": f"Bearer {viewer}"})
    assert response.status_code == 403
    response = board.post("/api/v1/assignments", json=NEW,
                          headers={"Authorization": f"Bearer {editor}"})
    assert response.status_code == 201, response.text
    [change] = board.get("/api/v1/history", params={"entity": VILLAGE}).json()["items"]
    assert change["user"] == "bien-tap" and change["action"] == "api.assignment"


def test_revoked_and_disabled_tokens_are_401(board: TestClient, store: Store) -> None:
    accounts = Accounts(store)
    first = accounts.new_token("bien-tap")
    assert accounts.revoke_token(token_hash(first)[:12]) == 1
    assert board.post("/api/v1/assignments", json=NEW,
                      headers={"Authorization": f"Bearer {first}"}).status_code == 401
    second = accounts.new_token("bien-tap")
    accounts.disable("bien-tap")
    assert board.post("/api/v1/assignments", json=NEW,
                      headers={"Authorization": f"Bearer {second}"}).status_code == 401
    assert sign_in(board, "bien-tap").status_code == 401  # type: ignore[attr-defined]


def test_bootstrap_token_writes_as_admin(board: TestClient) -> None:
    response = board.post("/api/v1/assignments", json=NEW,
                          headers={"Authorization": "Bearer bootstrap-secret"})
    assert response.status_code == 201
    assert board.get("/api/v1/history").json()["items"][0]["user"] == "DANVAN_API_TOKEN"


def test_wrong_password_is_rate_limited(board: TestClient) -> None:
    for _ in range(LOGIN_FAILURES):
        assert sign_in(board, "bien-tap", "sai-mat-khau").status_code == 401  # type: ignore[attr-defined]
    # Now even the right password waits: guessing cannot go on.
    assert sign_in(board, "bien-tap").status_code == 429  # type: ignore[attr-defined]
    assert sign_in(board, "chi-xem").status_code == 303  # type: ignore[attr-defined]


def test_unknown_user_and_wrong_password_look_alike(board: TestClient) -> None:
    unknown = sign_in(board, "khong-co-ai", "sai-mat-khau")
    wrong = sign_in(board, "bien-tap", "sai-mat-khau")
    assert unknown.status_code == wrong.status_code == 401  # type: ignore[attr-defined]
    message = re.compile(r'id="sign-in-message">([^<]+)<')
    assert (message.search(unknown.text).group(1)  # type: ignore[attr-defined,union-attr]
            == message.search(wrong.text).group(1))  # type: ignore[attr-defined,union-attr]
    for _ in range(LOGIN_FAILURES):  # unknown names are limited like known ones
        sign_in(board, "khong-co-ai", "x")
    assert sign_in(board, "khong-co-ai", "x").status_code == 429  # type: ignore[attr-defined]


def test_expired_session_goes_to_sign_in(board: TestClient, store: Store) -> None:
    sign_in(board, "bien-tap")
    csrf = page_csrf(board)
    [session] = store.records.find("Session", where={"user": "bien-tap"})
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    store.records.put("Session", session["key"], {**session, "expires": past})
    response = board.post("/sua/phan-cong", data=add_form(csrf), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/dang-nhap")
    assert not list(store.nodes("Assignment"))
    assert store.records.get("Session", session["key"]) is None
    store.records.put("Session", "stale", {"user": "bien-tap", "csrf": "x", "expires": past})
    sign_in(board, "bien-tap")  # signing in again forgets the user's expired sessions
    assert [s["key"] for s in store.records.find("Session", where={"user": "bien-tap"})
            if s["expires"] <= past] == []


def test_anonymous_edit_goes_to_sign_in(board: TestClient) -> None:
    response = board.post("/sua/phan-cong", data=add_form("x"), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/dang-nhap")


def test_closed_reading_needs_sign_in(store: Store) -> None:
    small(store)
    Accounts(store).add_user("chi-xem", "viewer", PASSWORD)
    token = Accounts(store).new_token("chi-xem")
    with TestClient(create_app(store, Settings(open_reading=False))) as client:
        assert client.get("/phan-cong", follow_redirects=False).status_code == 303
        assert client.get("/api/v1/assignments").status_code == 401
        assert client.get("/api/v1/assignments",
                          headers={"Authorization": f"Bearer {token}"}).status_code == 200
        sign_in(client, "chi-xem")
        assert client.get("/phan-cong").status_code == 200
    with TestClient(create_app(store, Settings())) as open_client:
        assert open_client.get("/phan-cong").status_code == 200


def test_only_admins_manage_users_on_the_web(board: TestClient, store: Store) -> None:
    sign_in(board, "bien-tap")
    assert board.get("/nguoi-dung").status_code == 403
    csrf = page_csrf(board, "/")
    form = {"csrf": csrf, "action": "add", "name": "moi", "role": "admin", "password": PASSWORD}
    assert board.post("/nguoi-dung", data=form).status_code == 403
    assert store.records.get("User", "moi") is None
    Accounts(store).add_user("quan-tri", "admin", PASSWORD)
    admin = TestClient(board.app)
    sign_in(admin, "quan-tri")
    csrf = page_csrf(admin, "/nguoi-dung")
    assert admin.post("/nguoi-dung", data={**form, "csrf": "sai"}).status_code == 403
    assert admin.post("/nguoi-dung", data={**form, "csrf": csrf}).status_code == 200
    assert Accounts(store).check_password("moi", PASSWORD)["role"] == "admin"  # type: ignore[index]
    page = admin.post("/nguoi-dung", data={"csrf": csrf, "action": "token", "name": "moi"}).text
    token = re.search(r'id="new-token">.*?<code>(dvt_[^<]+)</code>', page).group(1)  # type: ignore[union-attr]
    assert Accounts(store).user_of_token(token).name == "moi"  # type: ignore[union-attr]
    admin.post("/nguoi-dung", data={"csrf": csrf, "action": "disable", "name": "moi"})
    assert Accounts(store).user_of_token(token) is None
    [change, *_] = store.records.find("Change", where={"action": "user"})
    assert change["user"] == "quan-tri" and PASSWORD not in str(change)
