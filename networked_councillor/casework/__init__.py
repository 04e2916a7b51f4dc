"""Acting: issues and their timelines, the audit log, a resident's privacy rights, retention, Open311 sync."""
