from django.urls import path

from tongban.hall import kiosk, stream, views

app_name = "hall"

urlpatterns = [
    path("", views.halls, name="halls"),
    path("bookings/", views.my_bookings, name="bookings"),
    path("bookings/<str:reference>/", views.booking_detail, name="booking"),
    path("<int:hall_id>/book/", views.book, name="book"),
    path("<int:hall_id>/take/", views.take, name="take"),
    path("<int:hall_id>/qr.svg", views.hall_qr, name="qr"),
    path("<int:hall_id>/display/", views.display, name="display"),
    path("<int:hall_id>/stream", stream.stream, name="stream"),
    path("t/<str:token>/", views.ticket, name="ticket"),
    path("t/<str:token>/state", views.ticket_json, name="ticket-state"),
    path("t/<str:token>/cancel", views.ticket_cancel, name="ticket-cancel"),
    path("kiosk/<str:key>/", kiosk.home, name="kiosk"),
    path("kiosk/<str:key>/sign-in", kiosk.sign_in, name="kiosk-sign-in"),
    path("kiosk/<str:key>/pair-status", kiosk.pair_status, name="kiosk-pair-status"),
    path("pair/<str:code>/", kiosk.pair, name="pair"),
    path("kiosk/<str:key>/sign-out", kiosk.sign_out, name="kiosk-sign-out"),
    path("kiosk/<str:key>/ticket", kiosk.take_ticket, name="kiosk-ticket"),
    path("kiosk/<str:key>/check-in/<str:reference>", kiosk.check_in, name="kiosk-check-in"),
    path("kiosk/<str:key>/print/<str:token>", kiosk.print_ticket, name="kiosk-print"),
]
