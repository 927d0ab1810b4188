"""The status machine of a review process definition (ProcessDefinition): a version is stored as
a draft or published; publishing one version retires the published version of its key, and a
retired version may be published again. The moves are made by definitions.py only.

Actor kinds: ADMIN (a platform administrator publishing or uploading in the admin site) and SYSTEM
(the shipped templates loaded by migrations and `manage.py workflow`, uploads at the command line
and code calling the service without an account)."""

from tongban.core import statemachine
from tongban.core.statemachine import SYSTEM
from tongban.workflow.models import ProcessDefinition

ADMIN = "admin"

D = ProcessDefinition.Status

DEFINITION = statemachine.register(
    statemachine.Machine(
        name="workflow.definition",
        model="workflow.ProcessDefinition",
        states=D,
        table={
            (D.DRAFT, D.PUBLISHED): {ADMIN, SYSTEM},
            (D.RETIRED, D.PUBLISHED): {ADMIN, SYSTEM},  # re-publishing an older version
            (D.PUBLISHED, D.RETIRED): {ADMIN, SYSTEM},  # another version of its key published
        },
        noun="审批流程",
        # no prefix: definitions.py names its codes (AuditAction.DEFINITION_PUBLISH / _RETIRE)
    )
)


def kind_of(actor) -> str:
    return ADMIN if getattr(actor, "pk", None) else SYSTEM
