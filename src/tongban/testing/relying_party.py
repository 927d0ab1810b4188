"""A department system for the tests: a relying party built on Authlib (a real OpenID Connect
client), with its own little HTTP server receiving back-channel logout.

It discovers the provider, starts the code flow with PKCE (S256) and a nonce, exchanges the code,
validates the ID token against the provider's JWKS, reads userinfo and, when Tongban POSTs a logout
token, validates it and ends its own session for that `sid`.
"""

import json
import threading
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt

LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


class RelyingParty:
    def __init__(self, issuer_base: str, client_id: str, client_secret: str | None = None):
        self.issuer_base = issuer_base.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.sessions: dict[str, dict] = {}  # sid → the RP's session (its user)
        self.logouts: list[dict] = []
        self.pending: dict[str, dict] = {}  # state → what the RP keeps until the callback
        self.visitors: dict[str, dict] = {}  # its own cookie → the person's token and sid
        self.browser_scope = "openid profile realname"
        self.rejected_logouts: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.redirect_uri = self.url + "/callback"
        self.backchannel_uri = self.url + "/backchannel-logout"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- its own server ---------------------------------------------------------------------------
    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        rp = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # the back-channel logout endpoint
                length = int(self.headers.get("Content-Length") or 0)
                body = parse_qs(self.rfile.read(length).decode())
                try:
                    claims = rp.validate_logout_token(body["logout_token"][0])
                except Exception as exc:
                    rp.rejected_logouts.append(repr(exc))
                    self.send_response(400)
                else:
                    rp.logouts.append(dict(claims))
                    rp.sessions.pop(claims.get("sid"), None)
                    self.send_response(200)
                self.end_headers()

            def do_GET(self):  # the pages a person sees (browser journeys)
                page = rp.page(self.path, self.headers.get("Cookie", ""))
                status, headers, body = page
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                data = body.encode()
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler

    # --- its pages, for a person in a browser -----------------------------------------------------
    TITLE = "许昌市民政救助系统（测试）"

    def _html(self, heading: str, *paragraphs: str) -> tuple[int, dict, str]:
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        text = (
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{heading} · {self.TITLE}</title></head><body><main>"
            f"<h1>{heading}</h1>{body}</main></body></html>"
        )
        return 200, {"Content-Type": "text/html; charset=utf-8"}, text

    def page(self, path: str, cookie: str) -> tuple[int, dict, str]:
        """Home (sign in through Tongban), /login, /callback and /me (reads userinfo with the
        token the system holds, as a department system does when it needs the person's data)."""
        parts = urlsplit(path)
        visitor = self.visitors.get(dict(_cookies(cookie)).get("rp", ""))
        if parts.path == "/login":
            url, pending = self.begin(self.browser_scope)
            self.pending[pending["state"]] = pending
            return 302, {"Location": url}, ""
        if parts.path == "/callback":
            query = parse_qs(parts.query)
            pending = self.pending.pop((query.get("state") or [""])[0], None)
            if pending is None or "code" not in query:
                reason = (query.get("error") or ["请求无效"])[0]
                return self._html("登录未完成", f"通办没有完成登录（{reason}）。")
            result = self.finish(self.url + path, pending)
            key = generate_token(24)
            self.visitors[key] = {
                "token": result["token"]["access_token"],
                "sid": result["id_claims"]["sid"],
                "name": result["userinfo"].get("name", ""),
            }
            return 302, {"Location": "/me", "Set-Cookie": f"rp={key}; Path=/; HttpOnly"}, ""
        if parts.path == "/me" and visitor is not None:
            answer = requests.get(
                self.metadata["userinfo_endpoint"],
                headers={"Authorization": f"Bearer {visitor['token']}"},
                timeout=10,
            )
            signed_in = visitor["sid"] in self.sessions
            status = "本系统的登录仍有效" if signed_in else "通办已通知本系统结束您的登录"
            if answer.status_code == 200:
                info = answer.json()
                return self._html(
                    "我的信息",
                    f"姓名：{info.get('name', '')}",
                    f"实名认证等级：{info.get('realname_level', '')}",
                    f"证件号码：{info.get('id_number_masked', '')}",
                    status,
                )
            return self._html(
                "授权已失效",
                f"本系统持有的通办访问令牌已不能使用（HTTP {answer.status_code}）。",
                status,
                '<a href="/login">重新使用通办账户登录</a>',
            )
        return self._html(
            self.TITLE,
            "本系统使用许昌市一体化在线政务服务平台的统一身份认证登录。",
            '<a href="/login">使用通办账户登录</a>',
        )

    # --- OpenID Connect ---------------------------------------------------------------------------
    @property
    def metadata(self) -> dict:
        if not hasattr(self, "_metadata"):
            url = self.issuer_base + "/.well-known/openid-configuration"
            self._metadata = requests.get(url, timeout=10).json()
        return self._metadata

    def jwks(self):
        return JsonWebKey.import_key_set(requests.get(self.metadata["jwks_uri"], timeout=10).json())

    def client(self, scope: str) -> OAuth2Session:
        return OAuth2Session(
            self.client_id,
            self.client_secret,
            scope=scope,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic" if self.client_secret else "none",
        )

    def begin(self, scope="openid profile realname") -> tuple[str, dict]:
        """The URL to send the browser to, and what the RP keeps until the callback."""
        session = self.client(scope)
        verifier, nonce = generate_token(48), generate_token(20)
        url, state = session.create_authorization_url(
            self.metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
        return url, {"state": state, "verifier": verifier, "nonce": nonce, "scope": scope}

    def finish(self, callback_url: str, pending: dict) -> dict:
        session = self.client(pending["scope"])
        session.state = pending["state"]
        token = session.fetch_token(
            self.metadata["token_endpoint"],
            authorization_response=callback_url,
            code_verifier=pending["verifier"],
        )
        claims = jwt.decode(
            token["id_token"],
            self.jwks(),
            claims_options={
                "iss": {"essential": True, "value": self.metadata["issuer"]},
                "aud": {"essential": True, "value": self.client_id},
                "nonce": {"essential": True, "value": pending["nonce"]},
            },
        )
        claims.validate()
        userinfo = session.get(self.metadata["userinfo_endpoint"]).json()
        self.sessions[claims["sid"]] = {"sub": claims["sub"], "name": userinfo.get("name")}
        return {"token": token, "id_claims": dict(claims), "userinfo": userinfo}

    def validate_logout_token(self, token: str) -> dict:
        claims = jwt.decode(
            token,
            self.jwks(),
            claims_options={
                "iss": {"essential": True, "value": self.metadata["issuer"]},
                "aud": {"essential": True, "value": self.client_id},
            },
        )
        claims.validate()
        if LOGOUT_EVENT not in claims.get("events", {}) or "nonce" in claims:
            raise ValueError("not a logout token")
        if not claims.get("sid") and not claims.get("sub"):
            raise ValueError("logout token names no one")
        return claims


def _cookies(header: str):
    cookie = SimpleCookie()
    cookie.load(header or "")
    return [(name, morsel.value) for name, morsel in cookie.items()]


def json_of(response) -> dict:
    try:
        return response.json()
    except json.JSONDecodeError:
        return {}
