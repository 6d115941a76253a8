"""Staff screens of imports from the billing system, at ``staff/integration/``."""

from django.urls import path

from kabinet.integration import views

app_name = "integration"

urlpatterns = [
    path("", views.batch_list_view, name="list"),
    path("upload/", views.upload_view, name="upload"),
    path("<uuid:uuid>/", views.batch_view, name="batch"),
    path("<uuid:uuid>/apply/", views.apply_view, name="apply"),
]
