"""Every API path that names an object, tried as its owner, as another customer and as staff.

The paths come from the OpenAPI document, so a path added later is covered without a line
here. Each path's parameters are filled from the owner's own objects (``walk.fill``); the
owner is whichever demo customer has such an object. Then, with tokens:

- the owner gets 2xx;
- another customer gets 404 in the error shape, whatever the object;
- staff who see customers (the administrator, through the session) get the owner's answer.

A path no demo customer can fill is a failure, unless ``UNFILLED`` says why. One demo world
serves every path (a subtest each), so the walk costs one ``demo_data``.
"""

import pytest

from tests.api import walk

# Paths with parameters that name no customer's object, with the reason.
UNFILLED = {
    "/api/v1/accounts/link-requests/{uuid}/document": (
        "the demo's link request has no scan; kabinet/api/tests/test_accounts_api.py"
    ),
    "/api/v1/applications/{uuid}/contract/signed": (
        "the demo has no contract signed back; kabinet/api/tests/test_applications_api.py"
    ),
}
# Objects staff do not see through the customer API, with the reason.
OWNER_ONLY = {
    "/api/v1/applications/{uuid}/steps/{slug}": "a draft is the applicant's own until filed",
}
# Objects everyone may read (another customer gets them too), with the reason.
PUBLIC = {
    "/api/v1/news/{news_id}": "news are published to every customer",
}


def object_get_paths() -> list[str]:
    return sorted(
        path
        for path, item in walk.schema()["paths"].items()
        if "get" in item
        and walk.PARAM.search(path)
        and not path.startswith("/api/v1/integration/")
        and path not in UNFILLED
    )


def test_the_walk_finds_the_object_paths():
    paths = object_get_paths()
    assert "/api/v1/intervals/series/{uuid}/values" in paths
    assert all(p.startswith("/api/v1/") for p in paths)


@pytest.mark.django_db
def test_every_object_path_owner_stranger_staff(subtests):
    owners, stranger, staff = walk.demo_world()
    for template in object_get_paths():
        with subtests.test(msg=template):
            query = walk.required_query(template)
            for user, owner in owners:
                path = walk.fill(owner, user, template, query)
                if path is not None:
                    break
            else:
                pytest.fail(f"no demo customer has an object for {template}")

            mine = owner.get(path, query)
            assert 200 <= mine.status_code < 300, (path, mine.status_code, mine.content[:300])

            theirs = stranger.get(path, query)
            if template in PUBLIC:
                assert theirs.status_code == mine.status_code, path
            else:
                assert theirs.status_code == 404, (path, theirs.status_code, theirs.content[:300])
                assert theirs.json()["code"] == "not_found"

            # Staff see the same object (fields about the viewer, such as «mine», differ).
            seen_by_staff = staff.get(path, query)
            if template in OWNER_ONLY:
                assert seen_by_staff.status_code == 404, path
                continue
            assert seen_by_staff.status_code == mine.status_code, (path, seen_by_staff.status_code)
            if mine["Content-Type"].startswith("application/json"):
                for key in ("uuid", "id", "number"):
                    if isinstance(mine.json(), dict) and key in mine.json():
                        assert seen_by_staff.json()[key] == mine.json()[key], path
