"""The `candour` command: a thin shell over the stages' service functions."""

from candour.cli.app import app, main

__all__ = ["app", "main"]
