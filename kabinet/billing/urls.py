"""Money pages of one personal account, under /accounts/<uuid>/."""

from django.urls import path

from kabinet.billing import views

app_name = "billing"

urlpatterns = [
    path("charges/", views.charges_view, name="charges"),
    path("documents/", views.documents_view, name="documents"),
    path("payments/", views.payments_view, name="payments"),
    path("breakdown/", views.breakdown_view, name="breakdown"),
    path("receipts/<str:period>/", views.receipt_view, name="receipt"),
    path("delivery/", views.delivery_view, name="delivery"),
]
