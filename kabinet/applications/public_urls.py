"""Public connection tools, no sign-in (002 §4.6.3–4.6.4, 000 §4)."""

from django.urls import path

from kabinet.applications.views import public

app_name = "connection"

urlpatterns = [
    path("calculator/", public.calculator_view, name="calculator"),
    path("check/", public.check_view, name="check"),
    path("documents/", public.documents_view, name="documents"),
    path("forms/<slug:kind>.pdf", public.blank_form_view, name="blank_form"),
]
