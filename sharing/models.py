"""Sharing between instances (push, pull, export/import): models arrive with that feature."""
