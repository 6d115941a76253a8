import pytest


@pytest.fixture(autouse=True)
def uploads_dir(settings, tmp_path):
    """Each test keeps its files (statements, report scans, chat files) in its own
    directory, so "nothing stored" is checkable."""
    path = tmp_path / "uploads"
    settings.KABINET_APPEAL_UPLOADS_DIR = str(path)
    return path
