"""Widgets the main window is built from."""
