"""Networked Councillor: listen to the ward, answer conversationally, log casework."""

__version__ = "0.1.0"
