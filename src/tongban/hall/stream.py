"""Server-Sent Events for the live pages (docs/hall.md, "Live updates").

A stream holds one web-server thread while it is open. So a worker keeps at most
HALL_STREAMS_PER_WORKER streams open (keep it below TONGBAN_WEB_THREADS, leaving threads for
ordinary pages), each for at most HALL_STREAM_SECONDS; the browser's EventSource then reconnects
by itself. A request beyond the limit gets the current state and closes at once with a one-second
retry, so watchers past the limit still see changes within about a second and never starve the
server's threads.
"""

import json
import time

from django.conf import settings
from django.db import close_old_connections
from django.http import Http404, StreamingHttpResponse

from tongban.hall import live
from tongban.hall.models import Ticket
from tongban.hall.snapshot import snapshot

HEARTBEAT_SECONDS = 15
RETRY_MS = 1000


def _payload(hall_id: int, version: int, ticket_id: int | None) -> str:
    snap = snapshot(hall_id, version)
    data = snap.ticket_state(ticket_id) if ticket_id else snap.display()
    return f"id: {version}\nevent: hall\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _events(hall_id: int, ticket_id: int | None):
    # Taken here, not in the view: a response never started never releases what it did not take.
    held = live.hub.streams.acquire(blocking=False)
    try:
        seen = live.version(hall_id)
        yield f"retry: {RETRY_MS}\n" + _payload(hall_id, seen, ticket_id)
        close_old_connections()
        if not held:
            return
        deadline = time.monotonic() + settings.HALL_STREAM_SECONDS
        while (left := deadline - time.monotonic()) > 0:
            current = live.hub.wait(hall_id, seen, min(HEARTBEAT_SECONDS, left))
            if current == seen:
                yield ": keep-alive\n\n"  # finds clients that went away
                continue
            seen = current
            yield _payload(hall_id, seen, ticket_id)
            close_old_connections()
    finally:
        if held:
            live.hub.streams.release()


def stream(request, hall_id):
    ticket_id = None
    token = request.GET.get("ticket")
    if token:
        ticket_id = (
            Ticket.objects.filter(token=token, hall_id=hall_id).values_list("pk", flat=True).first()
        )
        if ticket_id is None:
            raise Http404("无此排队号")
    response = StreamingHttpResponse(_events(hall_id, ticket_id), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx passes events on at once
    return response
