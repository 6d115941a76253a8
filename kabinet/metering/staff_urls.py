"""Staff screens of readings, at ``staff/readings/``."""

from django.urls import path

from kabinet.metering import staff

app_name = "metering_staff"

urlpatterns = [
    path("", staff.readings_queue_view, name="queue"),
    path("accept/", staff.readings_accept_many_view, name="accept_many"),
    path("<int:pk>/accept/", staff.reading_accept_view, name="accept"),
    path("<int:pk>/reject/", staff.reading_reject_view, name="reject"),
]
