from django import forms
from django.utils.translation import gettext_lazy as _

from kabinet.integration.models import ImportBatch


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Что загружается"), choices=ImportBatch.Kind.choices)
    file = forms.FileField(
        label=_("Файл"),
        help_text=_(
            "CSV (разделитель «;» или «,», UTF-8) или XLSX; формат — в docs/integration.md."
        ),
    )
