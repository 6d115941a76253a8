"""ИСУ pages under /meters/smart/ (included by kabinet/metering/urls.py, so the names
are in the ``metering`` namespace: ``metering:smart``, ``metering:unit_archive``…)."""

from django.urls import path

from kabinet.metering import smart_views

urlpatterns = [
    path("<uuid:uuid>/", smart_views.smart_meter_view, name="smart"),
    path("unit/<uuid:uuid>/", smart_views.unit_archive_view, name="unit_archive"),
    path(
        "house-meter/<int:pk>/",
        smart_views.building_meter_archive_view,
        name="building_meter_archive",
    ),
]
