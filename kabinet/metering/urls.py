from django.urls import include, path

from kabinet.metering import views

app_name = "metering"

urlpatterns = [
    path("", views.meter_list_view, name="list"),
    path("account/<uuid:uuid>/submit/", views.submit_view, name="submit"),
    path("account/<uuid:uuid>/history/", views.history_view, name="history"),
    path("smart/", include("kabinet.metering.smart_urls")),
]
