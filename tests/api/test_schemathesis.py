"""Property tests of the whole API against its own OpenAPI document (schemathesis).

Every operation is called with generated data, valid and invalid, as the demo's resident
with a token that may write (the integration operations with an integration credential);
GET operations also get the resident's own objects in their path, so the cases reach real
rows and not only 404s. The checks: no server error, every
status, header and body as the document declares them, and invalid data refused.
``KABINET_ST_EXAMPLES`` sets how many cases each operation and mode gets (15 here).

One demo world serves every operation (a subtest each): the operations are walked here
rather than through ``schema.parametrize``, which would build the world once per operation.
"""

import os
from contextlib import contextmanager

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from kabinet.integration.credentials import credential_create
from kabinet.wsgi import application
from tests.api import walk

EXAMPLES = int(os.environ.get("KABINET_ST_EXAMPLES", "15"))


def _load_schema():
    # Built from the code, as /api/v1/openapi.json serves it (the drift test holds the file
    # to it); calls go to the WSGI application in process, inside the test's transaction.
    loaded = schemathesis.openapi.from_dict(walk.schema())
    loaded.app = application
    return loaded


SCHEMA = _load_schema()
# A schema-valid request may still break a business rule (a token that expires in the past,
# a reading below the last one): that is a 400 in the documented shape, which every other
# check holds it to.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]


def _strategy(operation, mode, owner_client, user):
    strategy = operation.as_strategy(generation_mode=mode)
    if mode is GenerationMode.POSITIVE and operation.method.lower() == "get":
        filled = walk.fill(owner_client, user, operation.path)
        if filled and filled != operation.path:
            real = operation.as_strategy(
                generation_mode=mode,
                path_parameters=walk.path_parameters(operation.path, filled),
            )
            strategy = st.one_of(real, strategy)
    return strategy


@contextmanager
def _test_connection_kept():
    """The WSGI cycle closes "old" database connections at each request's start and end, and
    inside the test's transaction the connection looks old, so PostgreSQL's would be closed
    under the test. Django's test client unhooks the same handler around each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _modes(operation):
    """Both modes, but no negative cases for an operation that has nothing to get wrong (no
    parameter, no body, no auth: a public list such as the settlements)."""
    spec = walk.schema()["paths"][operation.path][operation.method.lower()]
    if spec.get("parameters") or spec.get("requestBody") or spec.get("security"):
        return list(GenerationMode)
    return [GenerationMode.POSITIVE]


def _checker(strategy, headers):
    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        with _test_connection_kept():
            case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)

    return check


@pytest.mark.django_db
def test_api_conforms_to_its_document(subtests):
    from kabinet.identity.models import User

    owners, _stranger, _staff = walk.demo_world()
    resident = User.objects.get(email="resident@example.ru")
    owner_client = dict((u.pk, c) for u, c in owners)[resident.pk]
    headers = {"Authorization": f"Bearer {walk.token_secret(resident, name='schemathesis')}"}
    # The utility's systems call the integration operations with their own credential.
    _credential, secret = credential_create(
        name="schemathesis", scopes=["imports", "exports", "intervals"]
    )
    integration_headers = {"Authorization": f"Bearer {secret}"}

    operations = [result.ok() for result in SCHEMA.get_all_operations()]
    assert operations
    for operation in operations:
        integration = operation.path.startswith("/api/v1/integration/")
        caller = integration_headers if integration else headers
        for mode in _modes(operation):
            strategy = _strategy(operation, mode, owner_client, resident)

            check = _checker(strategy, caller)
            with subtests.test(msg=f"{operation.label} ({mode.value})"):
                check()
