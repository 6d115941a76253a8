from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NewsForm(forms.Form):
    title = forms.CharField(label=_("Заголовок"), max_length=200)
    text = forms.CharField(
        label=_("Текст"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Абзацы разделяйте пустой строкой; ссылки пишите полностью (https://…)."),
    )
    published_at = forms.DateTimeField(
        label=_("Дата публикации"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Пусто — сейчас. Новость с датой в будущем появится у абонентов в этот день."),
        error_messages={"invalid": _("Введите дату и время в формате ДД.ММ.ГГГГ ЧЧ:ММ.")},
    )

    def clean_published_at(self):
        return self.cleaned_data.get("published_at") or timezone.now()
