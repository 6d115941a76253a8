"""Stub: replaced by its owner."""

from django.http import Http404


def print_view(request, *args, **kwargs):
    raise Http404
