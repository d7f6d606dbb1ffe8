"""The one error of administration: what went wrong and what to do about it."""

from __future__ import annotations


class AdminError(Exception):
    """A command could not be carried out; the message says why and what to do."""
