"""Contracts, objects and metering units of a subscriber, under /contracts/."""

from django.urls import path

from kabinet.contracts.views import cabinet, documents, reports

app_name = "contracts"

urlpatterns = [
    path("", cabinet.list_view, name="list"),
    path("signup/", cabinet.signup_view, name="signup"),
    path("add/", cabinet.request_new_view, name="request_new"),
    path("add/template.pdf", cabinet.request_template_view, name="request_template"),
    path("objects/", cabinet.objects_view, name="objects"),
    path("objects/<uuid:uuid>/normative/", cabinet.normative_view, name="normative"),
    path("units/", cabinet.units_view, name="units"),
    path("units/<uuid:uuid>/", cabinet.unit_view, name="unit"),
    path("<uuid:uuid>/", cabinet.detail_view, name="detail"),
    path("<uuid:uuid>/chat/", cabinet.chat_view, name="chat"),
    path("<uuid:uuid>/reports/", reports.reports_view, name="reports"),
    path("<uuid:uuid>/reports/new/", reports.report_new_view, name="report_new"),
    path("reports/<uuid:uuid>/scan/", reports.report_scan_view, name="report_scan"),
    path("<uuid:uuid>/documents/", documents.documents_view, name="documents"),
    path(
        "<uuid:uuid>/documents/<str:kind>/<str:period>.pdf",
        documents.document_view,
        name="document",
    ),
]
