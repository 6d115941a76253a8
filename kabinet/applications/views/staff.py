"""Stub: replaced by its owner."""

from django.http import Http404


def queue_view(request, *args, **kwargs):
    raise Http404


def detail_view(request, *args, **kwargs):
    raise Http404


def move_view(request, *args, **kwargs):
    raise Http404


def ask_view(request, *args, **kwargs):
    raise Http404


def write_view(request, *args, **kwargs):
    raise Http404


def contract_attach_view(request, *args, **kwargs):
    raise Http404


def stage_view(request, *args, **kwargs):
    raise Http404
