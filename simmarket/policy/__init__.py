"""Policy: the levers in force, the schedule that switches them on, and cooperative membership."""

from .levers import Levers
from .membership import Membership, rcc_groups, rcc_membership
from .schedule import PolicySchedule

__all__ = ["Levers", "Membership", "PolicySchedule", "rcc_groups", "rcc_membership"]
