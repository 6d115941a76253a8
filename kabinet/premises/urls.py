from django.urls import path

from kabinet.premises import views

app_name = "premises"

urlpatterns = [
    path("", views.my_houses_view, name="mine"),
    path("add/", views.house_add_view, name="add"),
    path("lookup/", views.lookup_view, name="lookup"),
    path("<int:pk>/", views.house_detail_view, name="detail"),
    path("<int:pk>/unfollow/", views.house_unfollow_view, name="unfollow"),
]
