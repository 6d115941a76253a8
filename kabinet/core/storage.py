"""Private files on disk: customers' uploads, import and export files. Each kind lives
in the folder a setting names, outside the web root, and has no URL: files go out only
through a view that checks who asks."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """A folder named by the setting ``setting``, read on each use so a changed setting
    (tests) takes effect at once."""

    setting = ""

    @property
    def base_location(self):
        return str(getattr(settings, self.setting))

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError(f"{self.setting} files have no URL; they are served by a view")
