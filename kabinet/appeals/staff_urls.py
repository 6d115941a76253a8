"""Staff pages of appeals, included at ``staff/appeals/``."""

from django.urls import path

from kabinet.appeals import views

app_name = "appeals_staff"

urlpatterns = [
    path("", views.staff_queue_view, name="queue"),
    path("<uuid:uuid>/", views.staff_appeal_view, name="detail"),
    path("<uuid:uuid>/status/", views.staff_status_view, name="status"),
]
