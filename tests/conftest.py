"""Shared by every test folder: this folder is on ``sys.path`` (pytest puts a root conftest's folder
there), so helpers used across folders live beside it (``sandbox_process.py``)."""
