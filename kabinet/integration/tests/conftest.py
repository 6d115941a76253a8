import pytest


@pytest.fixture(autouse=True)
def _integration_uploads(settings, tmp_path):
    settings.KABINET_INTEGRATION_UPLOADS_DIR = str(tmp_path / "integration")
