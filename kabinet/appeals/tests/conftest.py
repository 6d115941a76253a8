import pytest


@pytest.fixture(autouse=True)
def uploads_dir(settings, tmp_path):
    """Each test keeps its files in its own directory, so "nothing stored" is checkable."""
    path = tmp_path / "uploads"
    settings.KABINET_APPEAL_UPLOADS_DIR = str(path)
    return path


def stored_files(path) -> list:
    return [p for p in path.rglob("*") if p.is_file()] if path.exists() else []
