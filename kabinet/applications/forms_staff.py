"""Forms of the applications back office (the queue's filter, the card's actions) and
the applicant's form for returning the signed contract. They check the shape of what
was typed; every rule of the domain is the services' (``services.workflow``,
``services.card``, ``services.results``), whose refusals are put next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kabinet.appeals.forms import MessageForm
from kabinet.applications.models import Application

Status = Application.Status

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]

# The buttons of the status moves on the card, by target status.
MOVE_LABELS = {
    Status.ACCEPTED: _("Принять"),
    Status.IN_WORK: _("Взять в работу"),
    Status.DONE: _("Завершить"),
    Status.REFUSED: _("Отказать"),
}

# The queue's status filter: the open ones (the default), each status, or all filed.
QUEUE_STATUSES = [
    ("open", _("Открытые")),
    (Status.REGISTERED, Status.REGISTERED.label),
    (Status.ACCEPTED, Status.ACCEPTED.label),
    (Status.IN_WORK, Status.IN_WORK.label),
    (Status.DONE, Status.DONE.label),
    (Status.REFUSED, Status.REFUSED.label),
    ("all", _("Все поданные")),
]


class DateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault("error_messages", {"invalid": _("Введите дату в формате ДД.ММ.ГГГГ.")})
        super().__init__(**kwargs)


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Статус"), choices=QUEUE_STATUSES, required=False)


class MoveForm(forms.Form):
    """A status move: the button pressed names the status; a refusal needs its reason
    (the service says so next to the field)."""

    to = forms.ChoiceField(
        label=_("Новый статус"),
        choices=[(s.value, s.label) for s in Status if s not in (Status.DRAFT, Status.REGISTERED)],
        error_messages={"required": _("Выберите новый статус.")},
    )
    comment = forms.CharField(
        label=_("Причина отказа"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Её увидит заявитель."),
    )

    def __init__(self, *args, application: Application, **kwargs):
        self.application = application
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        spec = self.application.spec
        if data.get("to") == Status.DONE and spec is not None and spec.result_contract:
            # The result of a connection application is the contract (000 §4.5): it is
            # finished by attaching one, or refused.
            self.add_error(
                "to",
                _(
                    "Заявка этого вида завершается договором: приложите его в разделе "
                    "«Договор» — статус сменится сам."
                ),
            )
        return data


class AskForm(forms.Form):
    text = forms.CharField(
        label=_("Что нужно предоставить"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Заявитель получит уведомление и ответит в карточке заявки."),
        error_messages={"required": _("Напишите, что нужно предоставить.")},
    )


class WriteForm(MessageForm):
    """An answer in the application's conversation (text and files)."""


class ContractForm(forms.Form):
    number = forms.CharField(
        label=_("Номер договора"),
        max_length=40,
        error_messages={"required": _("Укажите номер договора.")},
    )
    date = DateField(
        label=_("Дата договора"), error_messages={"required": _("Укажите дату договора.")}
    )
    pdf = forms.FileField(
        label=_("Договор (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
        help_text=_(
            "Договор подписывается электронной подписью организации при загрузке. Если "
            "форма вернулась с ошибкой, файл нужно выбрать заново."
        ),
        error_messages={"required": _("Приложите файл договора в формате PDF.")},
    )


class StageForm(forms.Form):
    """«Отметить выполненным» with the date it was done, or take the mark back."""

    done_on = DateField(label=_("Дата выполнения"), required=False)
    note = forms.CharField(label=_("Примечание"), max_length=300, required=False)
    undo = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not data.get("undo") and not data.get("done_on") and "done_on" not in self.errors:
            self.add_error("done_on", _("Укажите дату выполнения."))
        return data


# --- the applicant's side -----------------------------------------------------------------


class SignBackForm(forms.Form):
    """The contract signed by the applicant: a PDF or a signature file. Its content is
    checked by ``services.results.contract_sign_back``."""

    signed = forms.FileField(
        label=_("Подписанный договор или файл подписи"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.sig,.p7s,.p7m"}),
        help_text=_(
            "PDF договора с вашей подписью, добавленной к подписи организации, или файл "
            "откреплённой подписи (.sig, .p7s) к скачанному PDF договора; до 10 МБ."
        ),
        error_messages={
            "required": _("Выберите файл: подписанный договор (PDF) или файл подписи (.sig, .p7s).")
        },
    )
