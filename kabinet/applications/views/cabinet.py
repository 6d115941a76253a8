"""Stub: being written."""

from django.http import Http404


def list_view(request, *args, **kwargs):
    raise Http404


def start_view(request, *args, **kwargs):
    raise Http404


def service_new_view(request, *args, **kwargs):
    raise Http404


def objects_view(request, *args, **kwargs):
    raise Http404


def object_new_view(request, *args, **kwargs):
    raise Http404


def object_view(request, *args, **kwargs):
    raise Http404


def detail_view(request, *args, **kwargs):
    raise Http404


def step_view(request, *args, **kwargs):
    raise Http404


def documents_view(request, *args, **kwargs):
    raise Http404


def preview_view(request, *args, **kwargs):
    raise Http404


def discard_view(request, *args, **kwargs):
    raise Http404


def file_view(request, *args, **kwargs):
    raise Http404


def answer_view(request, *args, **kwargs):
    raise Http404


def write_view(request, *args, **kwargs):
    raise Http404
