"""Staff screens of news, included from kabinet/urls.py at ``staff/news/``."""

from django.urls import path

from kabinet.news import views

app_name = "news_staff"

urlpatterns = [
    path("", views.staff_list_view, name="list"),
    path("<int:pk>/", views.staff_edit_view, name="edit"),
]
