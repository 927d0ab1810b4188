"""A 延期申请 and a 协办 are decided once (workorders.states EXTENSION / ASSIST): a second decision
is refused with the reason the staff member sees, and the first one stands."""

import pytest
from django.core.exceptions import ValidationError

from tongban.workorders.actions import handling, intake
from tongban.workorders.codes import RequestStatus, Urgency
from tongban.workorders.models import WorkOrderHistory
from tongban.workorders.tests.test_lifecycle import report


def test_an_extension_decided_once_cannot_be_decided_again(city, staff):
    order = intake.submit(report(urgency=Urgency.PRESSING))
    extension = handling.request_extension(
        order, actor=staff["cghandler"], hours=12, reason="需要采购井盖"
    )
    handling.decide_extension(extension, actor=staff["dispatcher"], approve=False)
    with pytest.raises(ValidationError) as refused:
        handling.decide_extension(extension, actor=staff["dispatcher"], approve=True)
    assert refused.value.messages == ["该延期申请已处理"]
    extension.refresh_from_db()
    order.refresh_from_db()
    assert extension.status == RequestStatus.REFUSED
    assert order.extension_hours == 0
    decisions = WorkOrderHistory.objects.filter(order=order, move="extension_decide")
    assert decisions.count() == 1


def test_an_assist_answered_once_cannot_be_answered_again(city, staff):
    order = intake.submit(report())
    handling.accept(order, actor=staff["cghandler"])
    assist = handling.request_assist(
        order,
        actor=staff["cghandler"],
        department_id=city["departments"]["sw"].pk,
        request="请核查地下管线",
    )
    handling.answer_assist(assist, actor=staff["swhandler"], answer="管线完好")
    with pytest.raises(ValidationError) as refused:
        handling.answer_assist(assist, actor=staff["swhandler"], answer="再看一次")
    assert refused.value.messages == ["该协办已答复"]
    assist.refresh_from_db()
    assert (assist.status, assist.answer) == (RequestStatus.DONE, "管线完好")
