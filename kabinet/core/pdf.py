"""Печатные документы (квитанции, справки, акты) as PDF, rendered by Typst.

Typst needs no system libraries and renders a page in milliseconds, so a receipt is
made on request rather than stored.

Templates. A template is a ``.typ`` file in its app's ``typst/`` folder and is named
``"<app>/<name>"``: ``render_pdf("billing/receipt", ...)`` renders
``kabinet/billing/typst/receipt.typ``. The Typst root is the ``kabinet/`` package
folder, so a path that starts with ``/`` starts there, from whichever app the template
is in; every template begins with::

    #import "/core/typst/base.typ": *
    #show: document

``base.typ`` sets up the page (A4, margins, Russian, fonts) and has the helpers for
tables and images. Files outside ``kabinet/`` cannot be read by a template.

Data. The context is serialised to JSON and handed over as ``sys.inputs.data``;
``base.typ`` decodes it into ``data``, so a template writes ``#data.payer``. Text from
the context is never pasted into Typst markup, so a customer's name or address with
``#``, ``*`` or ``$`` in it is printed as it is and cannot run anything. JSON has no
Decimal, date or bytes: Decimal becomes its string ("1234.50"), a date its ISO form,
lazy translations their text, and bytes (an SVG image, such as the payment QR code)
their UTF-8 text for ``svg-image(data.qr)``. Money is best formatted in Python
(``kabinet.core.money.format_rub``) and passed as text.

Fonts. Only the fonts inside the typst wheel are used (Libertinus Serif for text,
New Computer Modern where it lacks a glyph such as ₽), never the machine's, so a
document is the same on a laptop, in CI and in production.
"""

import json
import re
from pathlib import Path
from typing import Any

import typst
from django.core.serializers.json import DjangoJSONEncoder
from django.template import TemplateDoesNotExist

ROOT = Path(__file__).resolve().parent.parent  # the kabinet/ package folder
NAME = re.compile(r"[a-z_]+/[A-Za-z0-9_-]+")


class _ContextEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder (Decimal, dates, lazy text) plus bytes as UTF-8 text (SVG)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, bytes):
            return o.decode("utf-8")
        return super().default(o)


def _compile(template_name: str, context: dict, **options: Any) -> bytes | list[bytes]:
    if not NAME.fullmatch(template_name):
        raise ValueError(f"Typst template name must be '<app>/<name>', not {template_name!r}")
    app, name = template_name.split("/")
    path = ROOT / app / "typst" / f"{name}.typ"
    if not path.is_file():
        raise TemplateDoesNotExist(f"{template_name} ({path.relative_to(ROOT.parent)})")
    data = json.dumps(context, cls=_ContextEncoder, ensure_ascii=False)
    return typst.compile(
        str(path),
        root=str(ROOT),
        sys_inputs={"data": data},
        ignore_system_fonts=True,
        **options,
    )


def render_pdf(template_name: str, context: dict) -> bytes:
    """The document (квитанция, справка) as PDF bytes, ready to send to the customer.

    Raises ``TemplateDoesNotExist`` for an unknown template and ``typst.TypstError``
    (with Typst's diagnostics) when the template is wrong.
    """
    pdf = _compile(template_name, context, format="pdf")
    assert isinstance(pdf, bytes)
    return pdf


def render_png(template_name: str, context: dict, *, ppi: int = 144) -> bytes:
    """The first page as a PNG picture: a preview on the page, or a check in tests."""
    pages = _compile(template_name, context, format="png", ppi=ppi)
    # typst returns bytes for one page and a list of them for several.
    return pages if isinstance(pages, bytes) else pages[0]
