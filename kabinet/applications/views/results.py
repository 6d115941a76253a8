"""Stub: replaced by its owner."""

from django.http import Http404


def contract_pdf_view(request, *args, **kwargs):
    raise Http404


def contract_sign_view(request, *args, **kwargs):
    raise Http404


def contract_signed_view(request, *args, **kwargs):
    raise Http404
