from django.urls import path

from tongban.hall import staff_views

app_name = "hall_staff"

urlpatterns = [
    path("", staff_views.console, name="console"),
    path("window/<str:move>/", staff_views.window_act, name="window"),
    path("ticket/<int:pk>/proxy/", staff_views.proxy_from_ticket, name="proxy"),
    path("ticket/<int:pk>/<str:move>/", staff_views.ticket_act, name="ticket"),
    path("board/", staff_views.boards, name="boards"),
    path("board/<int:hall_id>/", staff_views.board, name="board"),
    path("board/<int:hall_id>/fragment", staff_views.board_fragment, name="board-fragment"),
    path("report/<int:hall_id>/<str:period>.xlsx", staff_views.report, name="report"),
]
