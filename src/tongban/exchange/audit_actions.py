"""The audit action codes of the exchange domain: every audit record it writes names one of these
(tongban.core.tests.test_audit_actions checks that no code is written as a bare string)."""

from enum import StrEnum


class AuditAction(StrEnum):
    BULK_DELIVER = "exchange.bulk.deliver"
    BULK_LOAD = "exchange.bulk.load"
    BULK_REJECT = "exchange.bulk.reject"
    CONSUMER_CREATE = "exchange.consumer.create"
    CONSUMER_ROTATE = "exchange.consumer.rotate"
    EXTRACT_PRODUCE = "exchange.extract.produce"
    GRANT_CREATE = "exchange.grant.create"
    GRANT_REVOKE = "exchange.grant.revoke"
    LOG_SEAL = "exchange.log.seal"
    MATERIAL_RELEASE = "exchange.material.release"
    MATERIAL_VERIFY = "exchange.material.verify"
    MATERIAL_CASE_NUMBER = "exchange.material.case_number"
    REQUEST_APPROVE = "exchange.request.approve"
    REQUEST_CANCEL = "exchange.request.cancel"
    REQUEST_CREATE = "exchange.request.create"
    REQUEST_REFUSE = "exchange.request.refuse"
    RESOURCE_CREATE = "exchange.resource.create"
    RESOURCE_EDIT = "exchange.resource.edit"
    RESOURCE_ITEMS_EDIT = "exchange.resource.items_edit"
    RESOURCE_NEW_DRAFT = "exchange.resource.new_draft"
    RESOURCE_PUBLISH = "exchange.resource.publish"
    RESOURCE_WITHDRAW = "exchange.resource.withdraw"
    SUBSCRIPTION_SET = "exchange.subscription.set"
    SUBSTITUTE_SET = "exchange.substitute.set"
