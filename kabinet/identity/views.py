import pyotp
import segno
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kabinet.core.errors import DomainError
from kabinet.core.http import client_ip, form_error
from kabinet.core.utility import get_utility
from kabinet.identity import forms, services
from kabinet.identity.codes import CodeInvalid
from kabinet.identity.models import SignInEvent, User, UserSession
from kabinet.identity.services import Client

BACKEND = "kabinet.identity.backends.KabinetBackend"


def client_of(request) -> Client:
    return Client(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _complete_login(request, user: User, *, remember: bool, method: str = "password"):
    auth_login(request, user, backend=BACKEND)
    request.session.set_expiry(None if remember else 0)
    request.session["kb_remember"] = remember
    from kabinet.identity.middleware import stamp_session

    stamp_session(request)
    request.session.save()
    services.sign_in_record(
        user=user, session_key=request.session.session_key, client=client_of(request), method=method
    )


# --- sign-in ---------------------------------------------------------------------------


def login_view(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request, reverse("core:home")))
    form = forms.LoginForm(
        request.POST or None, initial={"identifier": request.GET.get("login", "")}
    )
    pending = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in_check(
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
                client=client_of(request),
            )
        except services.SignInRefused as exc:
            form.add_error(None, exc.message)
            pending = exc.code
        else:
            remember = bool(form.cleaned_data.get("remember"))
            if user.totp_enabled:
                request.session["kb_totp_user"] = user.pk
                request.session["kb_totp_remember"] = remember
                query = urlencode({"next": _next_url(request, reverse("core:home"))})
                return redirect(f"{reverse('identity:login_totp')}?{query}")
            _complete_login(request, user, remember=remember)
            return redirect(_next_url(request, reverse("core:home")))
    return render(
        request,
        "identity/login.html",
        {"form": form, "pending": pending, "next": request.GET.get("next", "")},
    )


def login_totp_view(request):
    user_pk = request.session.get("kb_totp_user")
    user = User.objects.filter(pk=user_pk, status=User.Status.ACTIVE).first() if user_pk else None
    if user is None:
        return redirect("identity:login")
    form = forms.TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_check(
                user=user, code=form.cleaned_data["code"], client=client_of(request)
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            remember = request.session.pop("kb_totp_remember", False)
            request.session.pop("kb_totp_user", None)
            _complete_login(request, user, remember=remember, method="totp")
            return redirect(_next_url(request, reverse("core:home")))
    return render(request, "identity/login_totp.html", {"form": form})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.session_close(session_key=request.session.session_key)
    auth_logout(request)
    messages.info(request, _("Вы вышли из личного кабинета."))
    return redirect("identity:login")


# --- sign-up ---------------------------------------------------------------------------


def signup_view(request):
    modes = [m for m in ("email", "phone") if m in get_utility().signup_modes]
    if len(modes) == 1:
        return redirect(f"identity:signup_{modes[0]}")
    return render(request, "identity/signup_choose.html", {"modes": modes})


def _address_picker(request, mode: str):
    """000 §2.1: the house picker inside the e-mail sign-up, where the utility asks."""
    if mode != "email" or not get_utility().signup_asks_house:
        return None
    from kabinet.premises.forms import AddressPickerForm

    data = request.POST if request.method == "POST" else (request.GET or None)
    picker = AddressPickerForm(data, prefix="address")
    picker.is_valid()
    return picker


def _signup(request, mode: str):
    if mode not in get_utility().signup_modes:
        raise Http404
    picker = _address_picker(request, mode)
    if picker is not None and request.POST.get(picker.action_name):
        # A step of the address picker, not the sign-up itself: keep what was typed,
        # show no errors yet.
        form = forms.SignupForm(mode=mode, initial=request.POST.dict())
        return render(
            request, "identity/signup.html", {"form": form, "mode": mode, "picker": picker}
        )
    form = forms.SignupForm(request.POST or None, mode=mode)
    # The house may be chosen now or later from the start page; a choice begun must be
    # finished, so nobody is signed up with half an address.
    started = picker is not None and picker.step != "settlement"
    needs_house = started and request.POST.get("kind") == "person"
    if request.method == "POST" and needs_house and form.is_valid() and picker.house is None:
        form.add_error(
            None,
            _(
                "Дом выбран не до конца: укажите улицу, номер дома (и корпус или литеру, "
                "если есть) и нажмите «Далее»."
            ),
        )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        service = services.signup_email if mode == "email" else services.signup_phone
        extra = {"login": d["login"]} if "login" in d else {}
        if picker is not None and d["kind"] == "person":
            extra["house"] = picker.house
        try:
            user = service(
                **extra,
                email=d["email"],
                phone=d["phone"],
                password=d["password1"],
                party=form.party(),
                consent=d["consent"],
                client=client_of(request),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            if mode == "email":
                request.session["kb_signup_email"] = user.email
                return redirect("identity:signup_email_sent")
            request.session["kb_signup_phone"] = user.phone
            return redirect("identity:signup_phone_confirm")
    return render(request, "identity/signup.html", {"form": form, "mode": mode, "picker": picker})


def signup_email_view(request):
    return _signup(request, "email")


def signup_phone_view(request):
    return _signup(request, "phone")


def signup_email_sent_view(request):
    email = request.session.get("kb_signup_email", "")
    form = forms.EmailResendForm(request.POST or None, initial={"email": email})
    if request.method == "POST" and form.is_valid():
        try:
            services.signup_email_resend(
                email=form.cleaned_data["email"], client=client_of(request)
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Письмо отправлено ещё раз."))
            return redirect("identity:signup_email_sent")
    return render(request, "identity/signup_email_sent.html", {"form": form, "email": email})


def confirm_email_view(request, link_id, token):
    try:
        user = services.signup_email_confirm(link_id=str(link_id), token=token)
    except CodeInvalid as exc:
        return render(
            request,
            "identity/link_invalid.html",
            {"message": exc.message, "resend_url": reverse("identity:signup_email_sent")},
            status=410 if exc.code in ("expired", "used", "revoked") else 404,
        )
    messages.success(request, _("E-mail подтверждён. Теперь вы можете войти."))
    return redirect(reverse("identity:login") + f"?login={user.email}")


def signup_phone_confirm_view(request):
    phone = request.session.get("kb_signup_phone")
    if not phone:
        return redirect("identity:signup")
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST":
        if "resend" in request.POST:
            try:
                services.signup_phone_resend(phone=phone, client=client_of(request))
                messages.success(request, _("Новый код отправлен."))
            except DomainError as exc:
                messages.error(request, exc.message)
            return redirect("identity:signup_phone_confirm")
        if form.is_valid():
            try:
                user = services.signup_phone_confirm(phone=phone, code=form.cleaned_data["code"])
            except DomainError as exc:
                form_error(form, exc)
            else:
                request.session.pop("kb_signup_phone", None)
                _complete_login(request, user, remember=False)
                messages.success(request, _("Телефон подтверждён, регистрация завершена."))
                return redirect("core:home")
    return render(
        request,
        "identity/signup_phone_confirm.html",
        {"form": form, "masked": services.mask_phone(phone)},
    )


def activate_view(request, link_id, token):
    """Активация выданного доступа (001 §2): the customer sets the password."""
    from kabinet.identity import codes
    from kabinet.identity.codes import Purpose

    try:
        row = codes.link_check(purpose=Purpose.ACTIVATION, link_id=str(link_id), token=token)
    except CodeInvalid as exc:
        if exc.code == "not_yet":
            # Not a dead link: the customer only has to come back on the first day (001).
            return render(request, "identity/link_not_yet.html", {"message": exc.message})
        return render(
            request,
            "identity/link_invalid.html",
            {"message": exc.message, "activation": True},
            status=410 if exc.code != "missing" else 404,
        )
    form = forms.ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.issued_access_activate(
                link_id=str(link_id), token=token, password=form.cleaned_data["password1"]
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            _complete_login(request, user, remember=False)
            messages.success(request, _("Пароль задан, личный кабинет активирован."))
            return redirect("core:home")
    return render(request, "identity/activate.html", {"form": form, "account": row.user})


# --- recovery --------------------------------------------------------------------------


def recovery_view(request):
    return render(request, "identity/recovery.html")


def reset_request_view(request):
    form = forms.ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"]
        try:
            masked = services.reset_request(
                identifier=identifier,
                channel=form.cleaned_data["channel"],
                client=client_of(request),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            request.session["kb_reset_identifier"] = identifier
            request.session["kb_reset_masked"] = masked
            return redirect("identity:reset_confirm")
    return render(request, "identity/reset_request.html", {"form": form})


def reset_confirm_view(request):
    identifier = request.session.get("kb_reset_identifier")
    if not identifier:
        return redirect("identity:reset_request")
    form = forms.ResetConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reset_confirm(
                identifier=identifier,
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password1"],
                client=client_of(request),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            request.session.pop("kb_reset_identifier", None)
            messages.success(request, _("Пароль изменён. Войдите с новым паролем."))
            return redirect("identity:login")
    return render(
        request,
        "identity/reset_confirm.html",
        {"form": form, "masked": request.session.get("kb_reset_masked", "")},
    )


def login_reminder_view(request):
    form = forms.LoginReminderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.login_reminder_send(
                email=form.cleaned_data["email"], client=client_of(request)
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("Если этот e-mail зарегистрирован, на него отправлено письмо с вашим логином."),
            )
            return redirect("identity:login")
    return render(request, "identity/login_reminder.html", {"form": form})


# --- profile ---------------------------------------------------------------------------


@login_required
def profile_view(request):
    user = request.user
    return render(
        request,
        "identity/profile.html",
        {
            "parties": user.parties.all(),
            "sessions": UserSession.objects.filter(user=user)[:20],
            "current_key": request.session.session_key,
            "sign_ins": SignInEvent.objects.filter(user=user)[:10],
        },
    )


@login_required
def password_change_view(request):
    form = forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user,
                current=form.cleaned_data["current_password"],
                new=form.cleaned_data["password1"],
                keep_session_key=request.session.session_key,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            user = User.objects.get(pk=request.user.pk)
            from django.contrib.auth import update_session_auth_hash

            old_key = request.session.session_key
            update_session_auth_hash(request, user)
            services.session_key_changed(old_key=old_key, new_key=request.session.session_key)
            messages.success(request, _("Пароль изменён. Другие сеансы завершены."))
            return redirect("identity:profile")
    return render(
        request,
        "identity/password_change.html",
        {"form": form, "forced": request.user.must_change_password},
    )


def _change_contact(request, *, kind: str):
    """Two steps on one page: the new e-mail or phone, then the code sent to it."""
    session_key = f"kb_new_{kind}"
    if kind == "email":
        request_form_cls, request_service = forms.EmailChangeForm, services.email_change_request
        confirm_service = services.email_change_confirm
    else:
        request_form_cls, request_service = forms.PhoneChangeForm, services.phone_change_request
        confirm_service = services.phone_change_confirm
    pending = request.session.get(session_key)
    step = request.POST.get("step")
    request_form = request_form_cls(request.POST if step == "request" else None)
    code_form = forms.CodeForm(request.POST if step == "confirm" else None)
    if step == "request" and request_form.is_valid():
        value = request_form.cleaned_data[kind]
        try:
            request_service(user=request.user, client=client_of(request), **{kind: value})
        except DomainError as exc:
            form_error(request_form, exc)
        else:
            # Shown as it will be stored: e-mails are kept in lower case.
            request.session[session_key] = value.strip().lower() if kind == "email" else value
            return redirect(f"identity:change_{kind}")
    elif step == "confirm" and pending and code_form.is_valid():
        try:
            confirm_service(
                user=request.user, code=code_form.cleaned_data["code"], **{kind: pending}
            )
        except DomainError as exc:
            form_error(code_form, exc)
        else:
            request.session.pop(session_key, None)
            messages.success(
                request,
                _("E-mail изменён.") if kind == "email" else _("Телефон изменён."),
            )
            return redirect("identity:profile")
    elif step == "cancel":
        request.session.pop(session_key, None)
        return redirect(f"identity:change_{kind}")
    return render(
        request,
        "identity/change_contact.html",
        {"kind": kind, "request_form": request_form, "code_form": code_form, "pending": pending},
    )


@login_required
def change_email_view(request):
    return _change_contact(request, kind="email")


@login_required
def change_phone_view(request):
    return _change_contact(request, kind="phone")


@login_required
@require_POST
def sessions_end_view(request):
    ended = services.sessions_end(user=request.user, keep_session_key=request.session.session_key)
    messages.success(request, _("Завершено других сеансов: %(n)d.") % {"n": ended})
    return redirect("identity:profile")


@login_required
def totp_view(request):
    user = request.user
    if user.totp_enabled:
        form = forms.TotpDisableForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.totp_disable(user=user, password=form.cleaned_data["password"])
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Вход с одноразовым кодом отключён."))
                return redirect("identity:profile")
        return render(request, "identity/totp.html", {"form": form, "enabled": True})
    secret = request.session.get("kb_totp_secret") or pyotp.random_base32()
    request.session["kb_totp_secret"] = secret
    form = forms.TotpEnableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_enable(user=user, secret=secret, code=form.cleaned_data["code"])
        except DomainError as exc:
            form_error(form, exc)
        else:
            request.session.pop("kb_totp_secret", None)
            messages.success(request, _("Вход с одноразовым кодом включён."))
            return redirect("identity:profile")
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=user.login or user.email or user.phone or str(user.uuid),
        issuer_name=get_utility().short_name,
    )
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#111", light="#fff")
    return render(
        request,
        "identity/totp.html",
        {"form": form, "enabled": False, "secret": secret, "qr_svg": svg},
    )
