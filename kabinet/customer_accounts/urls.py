from django.urls import path

from kabinet.customer_accounts import views

app_name = "customer_accounts"

urlpatterns = [
    path("", views.account_list_view, name="list"),
    path("add/", views.account_add_view, name="add"),
    path("requests/new/", views.link_request_new_view, name="request_new"),
    path("requests/<uuid:uuid>/", views.link_request_view, name="request"),
    path(
        "requests/<uuid:uuid>/document/", views.link_request_document_view, name="request_document"
    ),
    path("<uuid:uuid>/", views.account_detail_view, name="detail"),
    path("<uuid:uuid>/unlink/", views.account_unlink_view, name="unlink"),
]
