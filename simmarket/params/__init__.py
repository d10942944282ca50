"""Scenario parameters: the typed, frozen schema, loading TOML files, validation and description.

    sections.py    every section of a scenario file, each key with unit, bounds and default
    schema.py      Scenario (all sections) and from_dict, the one way a dict becomes a Scenario
    validation.py  checking values, codes and cross-key rules (ConfigError names file and key)
    loading.py     TOML files, `extends`, `--set`, shipped scenario names; load() and baseline()
    describe.py    every resolved parameter (validate) and warnings for extreme or retired keys
    errors.py      ConfigError and its 'did you mean' hint
"""

from ..data import REGIONS
from .describe import allowed_values, describe, describe_local, retired_in_use, warnings_for
from .errors import ConfigError, suggest
from .loading import (BASELINE, baseline, load, load_raw, merge, parse_set, read_toml, resolve,
                      shipped_dir, shipped_names)
from .schema import Scenario, from_dict
from .sections import SECTIONS, P
from .validation import set_dotted

__all__ = ["REGIONS", "SECTIONS", "BASELINE", "ConfigError", "P", "Scenario", "baseline", "allowed_values", "describe", "describe_local",
           "from_dict", "load", "load_raw", "merge", "parse_set", "read_toml", "resolve", "retired_in_use",
           "set_dotted", "shipped_dir", "shipped_names", "suggest", "warnings_for"]
