"""Casework email: IMAP mailboxes (app password or Microsoft 365 sign-in) and .eml/.msg files brought in by hand."""

from nc_email.source import EmailSource

__all__ = ["EmailSource"]
