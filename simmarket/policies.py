"""Policy levers applied at their start weeks, and regional care cooperative membership."""

from __future__ import annotations

from .config import Scenario


def rcc_groups(scenario: Scenario) -> dict[str, list[str]]:
    """Authority codes of RCC members and non-members (empty when there are no RCCs)."""
    return {}
