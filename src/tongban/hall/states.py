"""The hall's status machines (tables in hall.codes): an appointment and a queue ticket."""

from tongban.core import statemachine
from tongban.hall.codes import APPOINTMENT_MOVES, TICKET_MOVES, AppointmentStatus, TicketStatus

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
MACHINES = {id(APPOINTMENT_MOVES): APPOINTMENT, id(TICKET_MOVES): TICKET}
