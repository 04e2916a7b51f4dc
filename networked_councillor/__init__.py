"""Networked Councillor: listen to the ward, answer conversationally, log casework."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("networked-councillor")
    """The one version number is pyproject.toml's; an install (editable, wheel or bundle) carries it."""
except PackageNotFoundError:  # run from a source folder that was never installed
    __version__ = "0+unknown"
