"""The events the licence domain publishes (core.events; listed in docs/events.md)."""

from dataclasses import dataclass

from tongban.core import events


@events.declare("licence.issued")
@dataclass(frozen=True)
class LicenceIssued:
    """A licence version was issued: a first issue (for a case or direct), a 变更 or a 延续."""

    licence_id: int
    identifier: str
    licence_type_name: str
    issuer_id: int
    version: int
    change_kind: str  # "" for a first issue, "change" or "renew"
    application_id: int | None  # the case it was issued for (出证办结), if any


@events.declare("licence.revoked")
@dataclass(frozen=True)
class LicenceRevoked:
    """撤销: the issuing organ revoked the licence (a sealed 撤销决定书 was issued)."""

    licence_id: int
    identifier: str
    reason: str


@events.declare("licence.cancelled")
@dataclass(frozen=True)
class LicenceCancelled:
    """注销: the licence ended (applied for, not renewed, the holder ceased …)."""

    licence_id: int
    identifier: str
    licence_type_name: str
    issuer_id: int
    reason: str
    application_id: int | None  # the 注销 case whose 办结 ended it, if any
