"""Old import path of the scenario parameters: everything now lives in simmarket.params.

Kept so that `from simmarket.config import Scenario, REGIONS` (the model core, users' scripts)
keeps working; new code imports from simmarket.params.
"""

from dataclasses import fields  # noqa: F401  (old scripts read config.fields(config.Demand))

from .params import *  # noqa: F401,F403
from .params import __all__  # noqa: F401
from .params.sections import (Capital, Commissioning, Cooperative, Demand, Enforcement, Foster,  # noqa: F401
                              FosterPolicy, Oversight, Planning, Policy, Prevention, Pricing, ProfitCap,
                              Rcc, Run, Supply, Supported, Workforce, WorkforcePolicy)
