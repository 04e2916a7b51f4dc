"""Casework shared by a ward's councillors and the member-support team, through the council's own PostgreSQL.

The laptop stays local-first: SQLite keeps the inbox, drafts, model and a full copy of the casework it may see,
and works offline. Sync sends what is waiting (`outbox`) and applies what colleagues changed (`inbound`). Who
may see what is enforced by the database itself (`server_schema`: roles and row-level security), never here.
"""
