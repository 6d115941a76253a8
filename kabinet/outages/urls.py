from django.urls import path

from kabinet.outages import views

app_name = "outages"

urlpatterns = [
    path("", views.search_view, name="search"),
    path("mine/", views.mine_view, name="mine"),
    path("subscribe/", views.subscribe_view, name="subscribe"),
    path("subscriptions/<int:pk>/delete/", views.unsubscribe_view, name="unsubscribe"),
]
