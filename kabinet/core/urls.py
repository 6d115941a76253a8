from django.urls import path

from kabinet.core import views

app_name = "core"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("legal/personal-data/", views.personal_data_policy_view, name="personal_data_policy"),
]
