"""The HTTP API (django-ninja) at ``/api/v1/``: one router per domain over the same services
and selectors the pages use. The API object is in ``kabinet.api.main``."""
