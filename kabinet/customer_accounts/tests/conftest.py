import pytest


@pytest.fixture
def uploads_dir(settings, tmp_path):
    """The test's own directory for the requests' documents, so "stored" is checkable."""
    path = tmp_path / "uploads"
    settings.KABINET_APPEAL_UPLOADS_DIR = str(path)
    return path
