from django.urls import path

from kabinet.news import views

app_name = "news"

urlpatterns = [
    path("", views.list_view, name="list"),
    path("<int:pk>/", views.detail_view, name="detail"),
]
