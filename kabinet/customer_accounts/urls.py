from django.urls import path

from kabinet.customer_accounts import views

app_name = "customer_accounts"

urlpatterns = [
    path("", views.account_list_view, name="list"),
    path("add/", views.account_add_view, name="add"),
    path("<uuid:uuid>/", views.account_detail_view, name="detail"),
    path("<uuid:uuid>/unlink/", views.account_unlink_view, name="unlink"),
]
