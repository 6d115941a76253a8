"""Back office of contracts, under /staff/contracts/."""

from django.urls import path

from kabinet.contracts.views import staff

app_name = "contracts_staff"

urlpatterns = [
    path("requests/", staff.requests_view, name="requests"),
    path("requests/<uuid:uuid>/", staff.request_view, name="request"),
    path("requests/<uuid:uuid>/approve/", staff.request_approve_view, name="approve"),
    path("requests/<uuid:uuid>/refuse/", staff.request_refuse_view, name="refuse"),
    path("requests/<uuid:uuid>/statement/", staff.statement_view, name="statement"),
    path("chats/", staff.chats_view, name="chats"),
    path("reports/", staff.reports_view, name="reports"),
]
