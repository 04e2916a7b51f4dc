"""Listening: fetch -> normalise -> dedupe -> relevance -> tag -> store, and retention after a fetch."""
