"""The billing system's HTTP API for imports, at ``api/integration/``."""

from django.urls import path

from kabinet.integration import api

app_name = "integration_api"

urlpatterns = [
    path("imports/<uuid:uuid>/", api.import_status, name="status"),
    path("imports/<slug:kind>/", api.import_create, name="create"),
]
