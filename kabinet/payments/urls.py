from django.urls import path

from kabinet.payments import test_provider_views, views

app_name = "payments"

urlpatterns = [
    path("", views.pay_view, name="pay"),
    path("history/", views.payments_list_view, name="list"),
    path("cards/", views.cards_view, name="cards"),
    path("cards/<uuid:uuid>/delete/", views.card_delete_view, name="card_delete"),
    path("autopay/<uuid:uuid>/cancel/", views.autopay_cancel_view, name="autopay_cancel"),
    path("notifications/<str:provider>/", views.notification_view, name="notification"),
    path("<uuid:uuid>/", views.payment_view, name="detail"),
]

test_provider_urlpatterns = (
    [
        path("card/<str:payment_id>/", test_provider_views.card_view, name="card"),
        path("sbp/<str:payment_id>/", test_provider_views.sbp_view, name="sbp"),
    ],
    "test_provider",
)
