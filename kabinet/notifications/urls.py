from django.urls import path

from kabinet.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notices_view, name="list"),
    path("settings/", views.preferences_view, name="preferences"),
    path("read/", views.notices_read_view, name="read"),
]
