"""The form of «Доступ к API»: a new token's name, its rights and how long it works."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kabinet.identity.models import ApiToken

SCOPE_CHOICES = [
    (ApiToken.Scope.READ, _("Только чтение: счета, показания, начисления, документы")),
    (ApiToken.Scope.FULL, _("Чтение и изменение: ещё передача показаний, оплата, обращения")),
]

# Days a token works; "" is «бессрочно».
EXPIRY_CHOICES = [
    ("", _("Бессрочно (пока не отзовёте)")),
    ("30", _("30 дней")),
    ("90", _("90 дней")),
    ("365", _("1 год")),
]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Название"),
        max_length=100,
        help_text=_("Чтобы узнать токен в списке: например, «Мобильное приложение» или «Дача»."),
        error_messages={
            "required": _("Назовите токен, например «Мобильное приложение»."),
            "max_length": _("Название длиннее %(limit_value)d символов."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    scope = forms.ChoiceField(
        label=_("Права"),
        choices=SCOPE_CHOICES,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Выберите права: только чтение или чтение и изменение."),
            "invalid_choice": _("Выберите права: только чтение или чтение и изменение."),
        },
    )
    expires = forms.ChoiceField(
        label=_("Срок действия"),
        choices=EXPIRY_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Выберите срок из списка.")},
    )

    def expires_at(self):
        days = self.cleaned_data.get("expires")
        return timezone.now() + timedelta(days=int(days)) if days else None
