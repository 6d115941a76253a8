from django.urls import path  # noqa: F401

app_name = "customer_accounts"

urlpatterns: list = []
