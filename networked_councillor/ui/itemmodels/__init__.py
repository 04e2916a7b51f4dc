"""Qt item models (kept apart from the top-level models/ folder of ML files)."""
