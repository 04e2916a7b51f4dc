"""The desktop app (PySide6). A thin layer over core and store: no business logic here."""
