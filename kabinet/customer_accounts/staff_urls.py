"""Back office of personal accounts, under /staff/accounts/."""

from django.urls import path

from kabinet.customer_accounts import staff

app_name = "accounts_staff"

urlpatterns = [
    path("requests/", staff.requests_view, name="requests"),
    path("requests/<uuid:uuid>/", staff.request_view, name="request"),
    path("requests/<uuid:uuid>/approve/", staff.request_approve_view, name="approve"),
    path("requests/<uuid:uuid>/refuse/", staff.request_refuse_view, name="refuse"),
    path("requests/<uuid:uuid>/document/", staff.document_view, name="document"),
    path("link/<uuid:uuid>/", staff.link_view, name="link"),
    path("<uuid:uuid>/unlink/", staff.unlink_view, name="unlink"),
]
