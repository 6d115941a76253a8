from django.urls import path

from kabinet.applications.views import cabinet, printing, results

app_name = "applications"

urlpatterns = [
    path("", cabinet.list_view, name="list"),
    path("new/", cabinet.start_view, name="start"),
    path("service/new/", cabinet.service_new_view, name="service_new"),
    path("objects/", cabinet.objects_view, name="objects"),
    path("contracts/", cabinet.connection_contracts_view, name="contracts"),
    path("objects/new/", cabinet.object_new_view, name="object_new"),
    path("objects/<uuid:uuid>/", cabinet.object_view, name="object"),
    path("<uuid:uuid>/", cabinet.detail_view, name="detail"),
    path("<uuid:uuid>/step/<slug:slug>/", cabinet.step_view, name="step"),
    path("<uuid:uuid>/documents/", cabinet.documents_view, name="documents"),
    path("<uuid:uuid>/preview/", cabinet.preview_view, name="preview"),
    path("<uuid:uuid>/discard/", cabinet.discard_view, name="discard"),
    path("<uuid:uuid>/files/<uuid:file>/", cabinet.file_view, name="file"),
    path("<uuid:uuid>/requests/<int:pk>/answer/", cabinet.answer_view, name="answer"),
    path("<uuid:uuid>/write/", cabinet.write_view, name="write"),
    path("<uuid:uuid>/print/", printing.print_view, name="print"),
    path("<uuid:uuid>/contract/", results.contract_pdf_view, name="contract_pdf"),
    path("<uuid:uuid>/contract/sign/", results.contract_sign_view, name="contract_sign"),
    path("<uuid:uuid>/contract/signed/", results.contract_signed_view, name="contract_signed"),
]
