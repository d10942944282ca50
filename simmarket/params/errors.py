"""The one error of bad parameters, and the 'did you mean' hint its messages carry."""

from __future__ import annotations

import difflib


class ConfigError(ValueError):
    """A scenario or sweep file is invalid; the message is one line for the user."""

    def __init__(self, source: str, key: str | None, message: str):
        self.source, self.key, self.message = source, key, message
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(" ".join((where + str(message)).split()))  # always a single line


def suggest(name: str, allowed) -> str:
    """' (did you mean 'x'?)' for the closest allowed name, or ''."""
    close = difflib.get_close_matches(name, list(allowed), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
