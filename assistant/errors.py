"""Errors shared by every front end and the training commands (a neutral module: it imports nothing of ours)."""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input: the CLI prints it as one clear line (``shopbot: error: ...``), exit 2."""
