"""Stub: replaced by its owner."""

from django.http import Http404


def calculator_view(request, *args, **kwargs):
    raise Http404


def check_view(request, *args, **kwargs):
    raise Http404


def documents_view(request, *args, **kwargs):
    raise Http404


def blank_form_view(request, *args, **kwargs):
    raise Http404
