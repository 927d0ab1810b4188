"""No request answers 500, whatever its values: a sweep of every API operation's parameters and
body fields, and of every page without path arguments, with values at and beyond the edges of
their types (huge and negative numbers, years 0 and 10000, very long text, NUL bytes, wrong
types). Endpoints and pages added later come under the same sweep, read from the OpenAPI schema
and the URL configuration (docs/security.md, ASVS V5)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from tongban.accounts import actions as accounts
from tongban.accounts.roles import Role
from tongban.core.bounds import ID_MAX

pytestmark = pytest.mark.django_db
PASSWORD = "Tongban2026"
# One value per class of edge; each request sets every parameter at once to one of them.
EDGES = {
    "zero": "0",
    "negative": "-1",
    "beyond 64 bits": str(10**20),
    "just beyond the id range": str(ID_MAX + 1),
    "year 0": "0000-01-01",
    "year 10000": "10000-01-01",
    "last day of year 9999": "9999-12-31T23:59:59Z",
    "long text": "通" * 5000,
    "NUL byte": "a\x00b",
    "not a number": "1e309",
}
BODY_EDGES = {
    **{name: value for name, value in EDGES.items()},
    "huge integer": 10**20,
    "negative integer": -(2**63),
    "float": 1e308,
    "list": ["x"] * 3,
    "object": {"1": 10**20},
    "null": None,
}
# Pages whose answer is a stream that does not end (live hall boards): not for this sweep.
SKIP_PAGES = re.compile(r"stream|events$|^admin/|^o/|^i18n/|^csp-report")


def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _fill(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def _query_names(operation: dict) -> list[str]:
    return [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]


def _body_fields(operation: dict, components: dict) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return list(schema.get("properties", {}))


def _assert_not_server_error(response, what: str) -> None:
    # 503 is an answer some operations document (a service not ready), not a failure
    assert response.status_code < 500 or response.status_code == 503, (
        f"{what}: {response.status_code}"
    )
    if response.status_code >= 400 and response.get("Content-Type", "").startswith(
        "application/json"
    ):
        body = response.json()
        if isinstance(body, dict):  # the one error shape (Open311 lists are answers, not errors)
            assert {"code", "detail"} <= set(body), f"{what}: {body}"


@pytest.fixture
def signed_in(client, citizen, department):
    staff = accounts.create_staff(
        actor=None,
        login_name="edges01",
        display_name="边界测试员",
        department=department,
        roles=[role.value for role in Role],
        password=PASSWORD,
    )
    return {"anonymous": None, "citizen": citizen, "staff": staff}


def test_every_api_operation_survives_edge_values(client, signed_in):
    schema = _schema()
    components = schema["components"]["schemas"]
    for who, user in signed_in.items():
        client.logout()
        if user:
            client.force_login(user)
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                queries, fields = _query_names(operation), _body_fields(operation, components)
                for name, value in (EDGES if "{" in path or queries else {}).items():
                    url = _fill(path, value if "\x00" not in value else "a")
                    params = dict.fromkeys(queries, value)
                    response = getattr(client, method)(url, params if method == "get" else None)
                    _assert_not_server_error(response, f"{who} {method} {path} {name}")
                if method in ("post", "put", "patch"):
                    url = _fill(path, "1")
                    for name, value in BODY_EDGES.items():
                        body = dict.fromkeys(fields, value)
                        response = getattr(client, method)(
                            url, body, content_type="application/json"
                        )
                        _assert_not_server_error(response, f"{who} {method} {path} body {name}")


def _plain_pages(resolver=None, prefix="") -> list[str]:
    """Every URL of the site that takes no path argument."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = str(entry.pattern)
        if route.startswith("^"):  # a regular expression: a plain path only without groups
            route = route.strip("^$").replace("\\.", ".")
            if re.search(r"[()\[\]*+?\\|{]", route):
                continue
        if "<" in route:
            continue
        if isinstance(entry, URLResolver):
            found += _plain_pages(entry, prefix + route)
        elif isinstance(entry, URLPattern):
            found.append(prefix + route)
    return sorted({page for page in found if not SKIP_PAGES.search(page)})


PAGE_PARAMS = [
    "page",
    "q",
    "department",
    "region",
    "start",
    "end",
    "since",
    "until",
    "day",
    "month",
    "year",
    "status",
    "tab",
    "case",
    "number",
    "phone",
    "window",
    "ticket",
    "via",
    "by",
    "t",
    "next",
    "theme",
    "warning",
    "reveal",
]


def test_every_page_survives_edge_query_values(client, signed_in):
    pages = _plain_pages()
    assert "services/" in pages and "api/v1/catalog/items/" in pages
    for who, user in signed_in.items():
        client.logout()
        if user:
            client.force_login(user)
        for page in pages:
            if page.startswith("api/"):
                continue  # the schema sweep above covers the API
            for name, value in EDGES.items():
                response = client.get("/" + page, dict.fromkeys(PAGE_PARAMS, value))
                _assert_not_server_error(response, f"{who} GET /{page} {name}")


def test_an_id_beyond_the_database_range_is_a_bad_request_not_a_server_error(client):
    """SQLite refuses an int above 2**63-1 with OverflowError, PostgreSQL with DataError."""
    response = client.get("/api/v1/catalog/statistics/", {"department": str(10**20)})
    assert response.status_code == 400
    assert response.json()["errors"]["department"] == ["编号超出范围"]


def test_dates_outside_the_documented_range_are_refused_in_chinese(client):
    for start in ("0001-01-01", "9999-12-31", "10000-01-01"):
        response = client.get("/api/v1/calendar/due-date", {"start": start, "days": 1000})
        assert response.status_code == 400, start
        message = response.json()["errors"]["start"][0]
        assert message in ("日期应在 1900-01-01 至 2099-12-31 之间", "日期格式应为 YYYY-MM-DD")


def test_the_safety_net_turns_an_overflow_deep_down_into_400(client, rf):
    from tongban.core.middleware import OutOfRangeMiddleware

    net = OutOfRangeMiddleware(lambda request: None)
    api = net.process_exception(rf.get("/api/v1/x"), OverflowError("int too large"))
    assert api.status_code == 400
    assert b'"code": "out_of_range"' in api.content
    assert net.process_exception(rf.get("/api/v1/x"), ValueError()) is None


def test_the_safety_net_answers_pages_with_a_chinese_page(rf):
    from django.contrib.auth.models import AnonymousUser

    from tongban.core.middleware import OutOfRangeMiddleware

    request = rf.get("/services/", {"department": str(10**20)})
    request.user, request.elderly_mode = AnonymousUser(), False
    page = OutOfRangeMiddleware(lambda r: None).process_exception(request, OverflowError())
    assert page.status_code == 400 and "请求有误" in page.content.decode()
