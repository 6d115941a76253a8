"""Forms of «Сотрудники организации»: inviting a colleague, changing their rights, and
the page where an invited colleague chooses a password."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kabinet.identity.forms import NewPasswordMixin
from kabinet.identity.models import PartyMember

RIGHTS_CHOICES = [
    (PartyMember.Rights.READ, _("Только просмотр")),
    (PartyMember.Rights.FULL, _("Полный доступ: оплата, отчёты, обращения")),
]


class RightsField(forms.ChoiceField):
    """Права сотрудника: read-only or full, as radio buttons."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Права"))
        kwargs.setdefault("choices", RIGHTS_CHOICES)
        kwargs.setdefault("widget", forms.RadioSelect)
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("Выберите права: только просмотр или полный доступ."),
                "invalid_choice": _("Выберите права: только просмотр или полный доступ."),
            },
        )
        super().__init__(**kwargs)


class MemberInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail сотрудника"),
        max_length=254,
        error_messages={
            "required": _("Укажите e-mail сотрудника."),
            "invalid": _("Введите e-mail в виде name@example.ru."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "inputmode": "email"}),
        help_text=_(
            "Если у сотрудника ещё нет личного кабинета, ему придёт письмо со ссылкой, "
            "чтобы задать пароль."
        ),
    )
    rights = RightsField(initial=PartyMember.Rights.READ)


class MemberRightsForm(forms.Form):
    rights = RightsField()


class MemberJoinForm(NewPasswordMixin, forms.Form):
    name = forms.CharField(
        label=_("Как к вам обращаться"),
        max_length=255,
        required=False,
        help_text=_("Имя увидит владелец кабинета организации."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["name", "password1", "password2"]
