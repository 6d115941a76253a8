"""Staff screens of exports to the billing system and of the daily refresh, included at
``staff/integration/`` beside the imports (kabinet/urls.py)."""

from django.urls import path

from kabinet.integration import export_views

app_name = "integration_exports"

urlpatterns = [
    path("exports/", export_views.export_list_view, name="list"),
    path("exports/<uuid:uuid>/file/", export_views.export_download_view, name="download"),
    path("refresh/", export_views.refresh_view, name="refresh"),
    path("refresh/run/", export_views.refresh_run_view, name="refresh_run"),
]
