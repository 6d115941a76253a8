from django.urls import path

from kabinet.appeals import views

app_name = "appeals"

urlpatterns = [
    path("", views.appeal_list_view, name="list"),
    path("new/", views.appeal_new_view, name="new"),
    path("files/<uuid:uuid>/", views.attachment_view, name="attachment"),
    path("<uuid:uuid>/", views.appeal_detail_view, name="detail"),
]
