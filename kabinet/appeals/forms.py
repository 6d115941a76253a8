from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kabinet.appeals import uploads
from kabinet.appeals.models import Appeal
from kabinet.customer_accounts.models import PersonalAccount

FILES_HELP = _(
    "PDF, JPEG, PNG, DOC, DOCX, XLS, XLSX, каждый не больше %(size)s, до %(n)d файлов. "
    "Если форма вернулась с ошибкой, файлы нужно выбрать заново."
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; their content is checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": ",".join(f".{ext}" for ext in uploads.TYPES)}),
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def files_field() -> MultipleFileField:
    from django.conf import settings
    from django.template.defaultfilters import filesizeformat

    size = filesizeformat(settings.KABINET_APPEAL_MAX_BYTES)
    return MultipleFileField(
        label=_("Файлы"), help_text=FILES_HELP % {"size": size, "n": uploads.MAX_FILES}
    )


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label  # «Лицевой счёт …», or «Договор № …» for a contract's account


class AppealForm(forms.Form):
    """Новое обращение (004): the account or what it is about, the topic, the text."""

    account = AccountChoiceField(
        label=_("Лицевой счёт"),
        queryset=PersonalAccount.objects.none(),
        required=False,
        empty_label=_("— другое (укажите ниже) —"),
    )
    about = forms.CharField(
        label=_("О чём обращение, если не о лицевом счёте"),
        required=False,
        max_length=200,
        help_text=_("Например: номер договора, адрес дома или «Личный кабинет»."),
    )
    topic = forms.ChoiceField(label=_("Тема обращения"))
    text = forms.CharField(label=_("Сообщение"), widget=forms.Textarea(attrs={"rows": 6}))
    answer_by_email = forms.BooleanField(label=_("Прислать ответ также на e-mail"), required=False)
    email = forms.EmailField(label=_("E-mail для ответа"), required=False)

    def __init__(self, *args, user, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"] = files_field()
        # The cabinet's accounts and the contracts the user may act on (000: an appeal is
        # about an account, a contract or an application).
        accounts = (
            PersonalAccount.objects.payable_by(user)
            .select_related("contract")
            .order_by("premises", "number")
        )
        self.fields["account"].queryset = accounts
        if accounts.filter(premises__isnull=True).exists():
            self.fields["account"].label = _("Лицевой счёт или договор")
        self.fields["topic"].choices = [("", _("— выберите тему —"))] + [
            (t, gettext(t)) for t in topics
        ]
        numbers = list(accounts.values_list("pk", flat=True)[:2])
        self.has_accounts = bool(numbers)
        if len(numbers) == 1 and not self.is_bound:
            self.initial.setdefault("account", numbers[0])
        if not self.has_accounts:
            del self.fields["account"]
            self.fields["about"].label = _("О чём обращение")
        self.order_fields(["account", "about", "topic", "text", "files"])


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Сообщение"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"] = files_field()


class AnswerForm(MessageForm):
    final = forms.BooleanField(
        label=_("Это ответ по существу: перевести обращение в «ответ дан»"),
        required=False,
        initial=True,
    )


class StatusForm(forms.Form):
    to = forms.ChoiceField(label=_("Новое состояние"))
    comment = forms.CharField(label=_("Комментарий"), required=False, max_length=500)

    def __init__(self, *args, appeal: Appeal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [
            (s.value, s.label) for s in Appeal.Status if s in Appeal.TRANSITIONS[appeal.status]
        ]
