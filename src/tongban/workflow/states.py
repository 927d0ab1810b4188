"""The status machines of the workflow app.

A review process definition (ProcessDefinition) is stored as a draft or published; publishing one
version retires the published version of its key, and a retired version may be published again.
The moves are made by definitions.py only.

A running review (WorkflowInstance) finishes when its BPMN process completes or is terminated,
and never runs again; engine.py makes that move (SYSTEM: the engine, whoever completed the task).
Its `state` field is the SpiffWorkflow serialization, not a status: it has no machine.

Actor kinds: ADMIN (a platform administrator publishing or uploading in the admin site) and SYSTEM
(the shipped templates loaded by migrations and `manage.py workflow`, uploads at the command line
and code calling the service without an account)."""

from tongban.core import statemachine
from tongban.core.statemachine import SYSTEM
from tongban.workflow.models import ProcessDefinition, WorkflowInstance

ADMIN = "admin"

D = ProcessDefinition.Status
W = WorkflowInstance.Status

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

INSTANCE = statemachine.register(
    statemachine.Machine(
        name="workflow.instance",
        model="workflow.WorkflowInstance",
        states=W,
        table={(W.RUNNING, W.FINISHED): {SYSTEM}},
        noun="流程实例",
        # no prefix and no history writer: the steps are the instance's `history` list and the
        # audit records are the subject's (a case's review moves, written by cases)
    )
)


def kind_of(actor) -> str:
    return ADMIN if getattr(actor, "pk", None) else SYSTEM
