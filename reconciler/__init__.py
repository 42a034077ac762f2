"""mmrc: Mattermost configuration as code (load → validate → observe → diff → plan → apply)."""

from __future__ import annotations

__version__ = "0.1.0"
