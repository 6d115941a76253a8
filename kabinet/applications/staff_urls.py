from django.urls import path

from kabinet.applications.views import staff

app_name = "applications_staff"

urlpatterns = [
    path("", staff.queue_view, name="queue"),
    path("<uuid:uuid>/", staff.detail_view, name="detail"),
    path("<uuid:uuid>/move/", staff.move_view, name="move"),
    path("<uuid:uuid>/ask/", staff.ask_view, name="ask"),
    path("<uuid:uuid>/write/", staff.write_view, name="write"),
    path("<uuid:uuid>/contract/", staff.contract_attach_view, name="contract_attach"),
    path("<uuid:uuid>/stages/<int:pk>/", staff.stage_view, name="stage"),
]
