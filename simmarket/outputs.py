"""Old import path: result folders now live in simmarket.experiment.outputs (re-exported here)."""

from .experiment.outputs import (OutputError, atomic_dir, check_writable, default_out, manifest,  # noqa: F401
                                 stats, summarise, utc_stamp, write_json, write_run)
