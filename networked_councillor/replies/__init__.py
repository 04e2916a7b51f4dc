"""Engaging: drafting a reply, its templates and snippets, the checks it must pass, and posting it."""
