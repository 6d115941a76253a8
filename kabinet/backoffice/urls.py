from django.urls import path

from kabinet.backoffice import admin_views, audit_views, views

app_name = "backoffice"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("billing/", views.billing_view, name="billing"),
    path("team/", admin_views.team_view, name="team"),
    path("team/<uuid:uuid>/roles/", admin_views.team_roles_view, name="team_roles"),
    path("settings/", admin_views.settings_view, name="settings"),
    path("audit/", audit_views.audit_view, name="audit"),
    path("billing/mailings/<int:pk>/retry/", views.mailing_retry_view, name="mailing_retry"),
    path("access/issue/", views.issue_access_view, name="issue_access"),
    path("access/<int:pk>/card/", views.issued_card_view, name="issued_card"),
    path("access/contract-login/", views.contract_login_view, name="contract_login"),
    path("users/<uuid:uuid>/", views.user_view, name="user"),
    path("users/<uuid:uuid>/reissue/", views.user_reissue_view, name="user_reissue"),
    path("users/<uuid:uuid>/unlock/", views.user_unlock_view, name="user_unlock"),
    path(
        "users/<uuid:uuid>/reset-first-password/",
        views.user_reset_first_password_view,
        name="user_reset_first_password",
    ),
]
