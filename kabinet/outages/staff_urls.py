"""Staff screens of outages, included from kabinet/urls.py at ``staff/outages/``."""

from django.urls import path

from kabinet.outages import views

app_name = "outages_staff"

urlpatterns = [
    path("", views.staff_list_view, name="list"),
    path("new/", views.staff_create_view, name="create"),
    path("<int:pk>/", views.staff_edit_view, name="edit"),
]
