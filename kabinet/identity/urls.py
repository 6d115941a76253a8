from django.urls import path

from kabinet.identity import views, views_members, views_tokens

app_name = "identity"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_totp_view, name="login_totp"),
    path("logout/", views.logout_view, name="logout"),
    path("signup/", views.signup_view, name="signup"),
    path("signup/email/", views.signup_email_view, name="signup_email"),
    path("signup/email/sent/", views.signup_email_sent_view, name="signup_email_sent"),
    path("signup/phone/", views.signup_phone_view, name="signup_phone"),
    path("signup/phone/confirm/", views.signup_phone_confirm_view, name="signup_phone_confirm"),
    path("confirm/<uuid:link_id>/<str:token>/", views.confirm_email_view, name="confirm_email"),
    path("activate/<uuid:link_id>/<str:token>/", views.activate_view, name="activate"),
    path("recovery/", views.recovery_view, name="recovery"),
    path("recovery/password/", views.reset_request_view, name="reset_request"),
    path("recovery/password/code/", views.reset_confirm_view, name="reset_confirm"),
    path("recovery/login/", views.login_reminder_view, name="login_reminder"),
    path("profile/", views.profile_view, name="profile"),
    path("profile/password/", views.password_change_view, name="password_change"),
    path("profile/email/", views.change_email_view, name="change_email"),
    path("profile/phone/", views.change_phone_view, name="change_phone"),
    path("profile/sessions/end/", views.sessions_end_view, name="sessions_end"),
    path("profile/two-factor/", views.totp_view, name="totp"),
    path("profile/api/", views_tokens.api_tokens_view, name="api_tokens"),
    path(
        "profile/api/<uuid:token_id>/revoke/",
        views_tokens.api_token_revoke_view,
        name="api_token_revoke",
    ),
    path("profile/organisation/", views_members.members_view, name="members"),
    path(
        "profile/organisation/<int:party_id>/invite/",
        views_members.member_invite_view,
        name="member_invite",
    ),
    path(
        "profile/organisation/members/<int:member_id>/rights/",
        views_members.member_rights_view,
        name="member_rights",
    ),
    path(
        "profile/organisation/members/<int:member_id>/remove/",
        views_members.member_remove_view,
        name="member_remove",
    ),
    path(
        "organisation/join/<uuid:link_id>/<str:token>/",
        views_members.member_join_view,
        name="member_join",
    ),
]
