"""Who is acting and from where, for the audit log, without passing the request everywhere."""

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestMeta:
    user: object = None
    ip: str = ""


_NOBODY = RequestMeta()
_current: contextvars.ContextVar[RequestMeta | None] = contextvars.ContextVar(
    "tongban_request_meta", default=None
)


def current_request_meta() -> RequestMeta:
    return _current.get() or _NOBODY


def bind(meta: RequestMeta) -> contextvars.Token:
    return _current.set(meta)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)


def client_ip(request) -> str:
    # Behind the load balancer the real client is the first X-Forwarded-For hop (set by nginx).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return (forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR", ""))[
        :45
    ]
