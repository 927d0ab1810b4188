"""The hall's status machines (tables in hall.codes): an appointment, a queue ticket and a
window's desk (open / paused / closed)."""

from tongban.core import statemachine
from tongban.hall.codes import (
    APPOINTMENT_MOVES,
    TICKET_MOVES,
    WINDOW_MOVES,
    AppointmentStatus,
    TicketStatus,
    WindowStatus,
)

APPOINTMENT = statemachine.register(
    statemachine.Machine(
        name="hall.appointment",
        model="hall.Appointment",
        states=AppointmentStatus,
        table=APPOINTMENT_MOVES,
        noun="预约",
    )
)
TICKET = statemachine.register(
    statemachine.Machine(
        name="hall.ticket",
        model="hall.Ticket",
        states=TicketStatus,
        table=TICKET_MOVES,
        noun="排队号",
    )
)
WINDOW_DESK = statemachine.register(
    statemachine.Machine(
        name="hall.window_desk",
        model="hall.WindowDesk",
        states=WindowStatus,
        table=WINDOW_MOVES,
        noun="窗口",
        # no prefix: queue.set_window audits the Window itself (AuditAction.WINDOW)
    )
)
MACHINES = {id(APPOINTMENT_MOVES): APPOINTMENT, id(TICKET_MOVES): TICKET}
