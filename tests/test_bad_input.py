"""Bad input through the real command line: exit status 2, one line on stderr naming the file or
key (and what is allowed), no traceback, and nothing written (CONTRACT.md)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from simmarket.cli import main

ROOT = Path(__file__).resolve().parent.parent
OK = 'name = "t"\n[run]\nyears = 1\nseeds = 1\nscale = 0.5\n'


SWEEP = ('name = "tiny"\nscenario = "s.toml"\n[design]\nmethod = "grid"\nlevels = 2\nreplications = 1\n'
         '[parameters."commissioning.block_share"]\nlo = 0.0\nhi = 0.5\n')


def toml(extra: str) -> str:
    return OK + extra


# id, files (name -> text, bytes, or None for a folder), command line, fragments the message must contain
CASES = [
    # --- the file itself
    ("missing-file", {}, ["run", "nofile.toml"], ["nofile.toml", "not found"]),
    ("folder-not-file", {"d.toml": None}, ["run", "d.toml"], ["d.toml", "directory"]),
    ("validate-folder", {"d.toml": None}, ["validate", "d.toml"], ["d.toml"]),
    ("not-utf8", {"s.toml": b'name = "caf\xe9"\n'}, ["run", "s.toml"], ["s.toml", "UTF-8", "line 1"]),
    ("binary-file", {"s.toml": b"\x00\x01\x02PNG"}, ["run", "s.toml"], ["s.toml", "binary"]),
    ("empty-file", {"s.toml": ""}, ["run", "s.toml"], ["s.toml", "empty"]),
    ("comments-only", {"s.toml": "# nothing here\n\n"}, ["run", "s.toml"], ["s.toml", "empty"]),
    ("malformed-toml", {"s.toml": 'name = "t"\n[run\nyears = 1\n'}, ["run", "s.toml"], ["s.toml", "line 2", "column"]),
    ("unterminated-string", {"s.toml": 'name = "t\n'}, ["run", "s.toml"], ["s.toml", "line 1", "column"]),
    ("duplicate-key", {"s.toml": "[run]\nyears = 1\nyears = 2\n"}, ["run", "s.toml"], ["s.toml", "line 3"]),
    ("duplicate-table", {"s.toml": "[run]\nyears = 1\n[run]\nseeds = 1\n"}, ["run", "s.toml"], ["s.toml", "line 3"]),
    ("array-of-tables-for-section", {"s.toml": "[[run]]\nyears = 1\n"}, ["run", "s.toml"], ["s.toml", "run", "table"]),
    ("section-as-number", {"s.toml": "run = 5\n"}, ["run", "s.toml"], ["s.toml", "run", "table"]),
    ("section-as-inline-array", {"s.toml": "demand = [1, 2]\n"}, ["run", "s.toml"], ["demand", "table"]),
    # --- unknown keys
    ("unknown-section", {"s.toml": toml("[demnd]\nentry_rate_per_cla_year = 0.3\n")}, ["run", "s.toml"],
     ["s.toml", "demnd", "did you mean 'demand'"]),
    ("unknown-key", {"s.toml": toml("[supply]\nentry_projects_per_yr = 3\n")}, ["run", "s.toml"],
     ["supply.entry_projects_per_yr", "did you mean 'entry_projects_per_year'"]),
    ("wrong-case-section", {"s.toml": "[Run]\nyears = 1\n"}, ["run", "s.toml"], ["Run", "did you mean 'run'"]),
    ("unknown-policy", {"s.toml": toml("[policy.captial]\nnew_council_places = 1\n")}, ["run", "s.toml"],
     ["policy.captial", "capital"]),
    ("unknown-policy-key", {"s.toml": toml("[policy.capital]\nplaces = 1\n")}, ["run", "s.toml"],
     ["policy.capital.places", "allowed"]),
    ("nested-unknown", {"s.toml": toml("[run.extra]\nx = 1\n")}, ["run", "s.toml"], ["run.extra", "unknown"]),
    ("unknown-top-key", {"s.toml": 'nmae = "t"\n'}, ["run", "s.toml"], ["nmae", "did you mean 'name'"]),
    # --- wrong types
    ("int-as-text", {"s.toml": toml("").replace("years = 1", 'years = "five"')}, ["run", "s.toml"],
     ["run.years", "whole number"]),
    ("int-as-fraction", {"s.toml": toml("").replace("years = 1", "years = 2.5")}, ["run", "s.toml"], ["run.years"]),
    ("bool-as-text", {"s.toml": toml("check = \"yes\"\n")}, ["run", "s.toml"], ["run.check", "true or false"]),
    ("bool-as-number", {"s.toml": toml("check = 1\n")}, ["run", "s.toml"], ["run.check", "true or false"]),
    ("number-as-text", {"s.toml": toml('[demand]\nentry_rate_per_cla_year = "0.3"\n')}, ["run", "s.toml"],
     ["demand.entry_rate_per_cla_year", "number"]),
    ("number-as-bool", {"s.toml": toml("[demand]\ndol_share = true\n")}, ["run", "s.toml"], ["demand.dol_share"]),
    ("nan", {"s.toml": toml("[demand]\ndol_share = nan\n")}, ["run", "s.toml"], ["demand.dol_share", "finite"]),
    ("inf", {"s.toml": toml("[supply]\nentry_projects_per_year = inf\n")}, ["run", "s.toml"],
     ["supply.entry_projects_per_year", "finite"]),
    ("list-as-number", {"s.toml": toml("[supply]\nnew_home_places = 3\n")}, ["run", "s.toml"],
     ["supply.new_home_places", "list"]),
    ("list-item-text", {"s.toml": toml('[demand]\ncomplexity_shares = [0.5, "a", 0.5]\n')}, ["run", "s.toml"],
     ["demand.complexity_shares", "numbers"]),
    ("list-item-nan", {"s.toml": toml("[demand]\ncomplexity_shares = [nan, 0.5, 0.5]\n")}, ["run", "s.toml"],
     ["demand.complexity_shares", "finite"]),
    ("name-not-text", {"s.toml": "name = 5\n"}, ["run", "s.toml"], ["name", "text"]),
    ("description-not-text", {"s.toml": toml("description = [1]\n").replace("[run]\n", "").replace(
        "years = 1\nseeds = 1\nscale = 0.5\n", "")}, ["run", "s.toml"], ["description", "text"]),
    ("name-escapes-outputs", {"s.toml": 'name = "../../escape"\n'}, ["run", "s.toml"], ["name", "folder"]),
    ("name-empty", {"s.toml": 'name = ""\n'}, ["run", "s.toml"], ["name", "folder"]),
    ("name-too-long", {"s.toml": f'name = "{"x" * 300}"\n'}, ["run", "s.toml"], ["name", "at most 200"]),
    # --- out of range
    ("years-zero", {"s.toml": toml("").replace("years = 1", "years = 0")}, ["run", "s.toml"],
     ["run.years", "out of range", "1 to 50"]),
    ("scale-too-small", {"s.toml": toml("").replace("scale = 0.5", "scale = 0.01")}, ["run", "s.toml"],
     ["run.scale", "0.5 to 10"]),
    ("negative-places", {"s.toml": toml("[policy.capital]\nnew_council_places = -5\n")}, ["run", "s.toml"],
     ["policy.capital.new_council_places", "out of range"]),
    ("share-above-one", {"s.toml": toml("[demand]\ndol_share = 1.5\n")}, ["run", "s.toml"],
     ["demand.dol_share", "0.0 to 1.0"]),
    ("negative-share", {"s.toml": toml("[commissioning]\nforward_plan_share = -0.1\n")}, ["run", "s.toml"],
     ["commissioning.forward_plan_share", "out of range"]),
    ("negative-seed", {"s.toml": toml("root_seed = -1\n")}, ["run", "s.toml"], ["run.root_seed", "out of range"]),
    ("shares-not-summing", {"s.toml": toml("[demand]\ncomplexity_shares = [0.5, 0.5, 0.5]\n")}, ["run", "s.toml"],
     ["demand.complexity_shares", "add up to 1"]),
    ("shares-wrong-length", {"s.toml": toml("[demand]\ncomplexity_shares = [0.5, 0.5]\n")}, ["run", "s.toml"],
     ["demand.complexity_shares", "3 numbers"]),
    ("home-sizes-not-summing", {"s.toml": toml("[supply]\nnew_home_places = [0.2, 0.2, 0.2, 0.2, 0.1]\n")},
     ["run", "s.toml"], ["supply.new_home_places", "add up to 1"]),
    ("probability-above-one", {"s.toml": toml("[demand]\nneed_type_probs = [1.5, 0.2, 0.1, 0.3]\n")},
     ["run", "s.toml"], ["demand.need_type_probs", "out of range"]),
    ("unknown-choice", {"s.toml": toml('[commissioning]\nmode = "rccc"\n')}, ["run", "s.toml"],
     ["commissioning.mode", "spot, rcc", "did you mean 'rcc'"]),
    # --- keys that must fit together
    ("start-week-past-horizon", {"s.toml": toml("[policy.prevention]\nentry_reduction = 0.1\nstart_week = 60\n")},
     ["run", "s.toml"], ["policy.prevention.start_week", "horizon"]),
    ("rcc-start-past-horizon", {"s.toml": toml('[rcc]\nmembership = "regions"\nstart_week = 52\n')},
     ["run", "s.toml"], ["rcc.start_week", "horizon"]),
    ("capital-start-past-horizon", {"s.toml": toml("[policy.capital]\nnew_council_places = 10\nnew_council_homes = 2\n"
                                                   "new_start_week = 52\n")},
     ["run", "s.toml"], ["policy.capital.new_start_week", "horizon"]),
    ("registration-min-above-max", {"s.toml": toml("[supply]\nregistration_weeks_min = 80\nregistration_weeks_max = 40\n")},
     ["run", "s.toml"], ["supply.registration_weeks_min"]),
    ("core-staff-above-a-homes-staff", {"s.toml": toml("[workforce]\nstaff_per_place_target = 0.5\n")},
     ["run", "s.toml"], ["workforce.core_staff_per_home", "staff_per_place_target"]),
    ("capital-start-after-end", {"s.toml": toml("[policy.capital]\nnew_start_week = 30\nnew_end_week = 20\n")},
     ["run", "s.toml"], ["policy.capital.new_start_week"]),
    ("named-without-cooperatives", {"s.toml": toml('[rcc]\nmembership = "named"\n')}, ["run", "s.toml"],
     ["rcc.cooperatives"]),
    ("secure-places-without-regions", {"s.toml": toml("[policy.capital]\nsecure_places = 10\nsecure_week = 10\n")},
     ["run", "s.toml"], ["policy.capital.secure_regions"]),
    ("rcc-capital-beyond-reason", {"s.toml": toml("[rcc]\ncapital_gbp_per_year = 1e10\ncapital_cost_per_place_gbp = 1.0\n")},
     ["run", "s.toml"], ["rcc.capital_gbp_per_year", "places a year", "at most"]),
    # --- authority codes and regions
    ("unknown-authority", {"s.toml": toml('[rcc]\nopt_out = ["E99999999"]\n')}, ["run", "s.toml"],
     ["rcc.opt_out", "E99999999"]),
    ("authority-by-name", {"s.toml": toml('[rcc]\nmembership = "named"\n[[rcc.cooperatives]]\nname = "A"\n'
                                          'members = ["Camden"]\n')},
     ["run", "s.toml"], ["rcc.cooperatives[0].members", "Camden", "E09000007"]),
    ("local-unknown-key", {"s.toml": toml('[[commissioning.local]]\nauthorities = ["E08000025"]\nradus_miles = 30\n')},
     ["run", "s.toml"], ["s.toml", "commissioning.local[0].radus_miles", "did you mean 'radius_miles'", "allowed:"]),
    ("local-national-only-key", {"s.toml": toml('[[commissioning.local]]\nauthorities = ["E08000025"]\nshortlist = 3\n')},
     ["run", "s.toml"], ["s.toml", "commissioning.local[0].shortlist", "national only", "radius_miles, "]),
    ("local-unknown-authority", {"s.toml": toml('[[commissioning.local]]\nauthorities = ["E08000099"]\n'
                                               'radius_miles = 30\n')},
     ["validate", "s.toml"], ["s.toml", "commissioning.local[0].authorities", "E08000099"]),
    ("local-no-authorities", {"s.toml": toml('[[commissioning.local]]\nradius_miles = 30\n')},
     ["run", "s.toml"], ["commissioning.local[0].authorities", "at least one"]),
    ("local-out-of-range", {"s.toml": toml('[[commissioning.local]]\nauthorities = ["E08000025"]\nwtp_multiple = 0\n')},
     ["run", "s.toml"], ["commissioning.local[0].wtp_multiple", "out of range"]),
    ("local-single-table", {"s.toml": toml('[commissioning.local]\nauthorities = ["E08000025"]\n')},
     ["run", "s.toml"], ["commissioning.local", "[[commissioning.local]]"]),
    ("local-week-past-horizon", {"s.toml": toml('[[commissioning.local]]\nauthorities = ["E08000025"]\nfrom_week = 60\n')},
     ["run", "s.toml"], ["commissioning.local[0].from_week", "past the horizon"]),
    ("mandate-past-horizon", {"s.toml": toml('[rcc]\nmembership = "regions"\nopt_out = ["E08000025"]\nmandate_week = 53\n')},
     ["run", "s.toml"], ["rcc.mandate_week", "past the horizon"]),
    ("codes-as-text", {"s.toml": toml('[rcc]\nopt_out = "E09000007"\n')}, ["run", "s.toml"], ["rcc.opt_out", "list"]),
    ("unknown-region", {"s.toml": toml('[policy.capital]\nsecure_places = 10\nsecure_regions = ["Wales"]\n'
                                       "secure_week = 10\n")},
     ["run", "s.toml"], ["policy.capital.secure_regions", "Wales"]),
    ("misspelt-region", {"s.toml": toml('[rcc]\nmembership = "named"\n[[rcc.cooperatives]]\nname = "L"\nregion = "Londn"\n')},
     ["run", "s.toml"], ["rcc.cooperatives[0].region", "did you mean 'London'"]),
    ("cooperative-without-members", {"s.toml": toml('[rcc]\nmembership = "named"\n[[rcc.cooperatives]]\nname = "A"\n')},
     ["run", "s.toml"], ["rcc.cooperatives[0]", "region or a list of members"]),
    ("cooperatives-not-tables", {"s.toml": toml('[rcc]\ncooperatives = "x"\n')}, ["run", "s.toml"],
     ["rcc.cooperatives", "[[rcc.cooperatives]]"]),
    ("cooperatives-single-table", {"s.toml": toml('[rcc.cooperatives]\nname = "x"\n')}, ["run", "s.toml"],
     ["rcc.cooperatives"]),
    ("cooperative-unknown-key", {"s.toml": toml('[rcc]\nmembership = "named"\n[[rcc.cooperatives]]\nnme = "A"\n')},
     ["run", "s.toml"], ["rcc.cooperatives[0].nme", "did you mean 'name'"]),
    ("cooperative-duplicate-name", {"s.toml": toml('[rcc]\nmembership = "named"\n[[rcc.cooperatives]]\nname = "A"\n'
                                                   'region = "London"\n[[rcc.cooperatives]]\nname = "A"\n'
                                                   'region = "North East"\n')},
     ["run", "s.toml"], ["rcc.cooperatives[1].name", "already"]),
    # --- extends
    ("extends-missing", {"s.toml": 'extends = "nope.toml"\n'}, ["run", "s.toml"], ["s.toml", "extends", "nope.toml"]),
    ("extends-circular", {"a.toml": 'extends = "b.toml"\n', "b.toml": 'extends = "a.toml"\n'}, ["run", "a.toml"],
     ["extends", "circular", "a.toml -> b.toml -> a.toml"]),
    ("extends-self", {"s.toml": 'extends = "s.toml"\n'}, ["run", "s.toml"], ["extends", "circular"]),
    ("extends-not-text", {"s.toml": "extends = 3\n"}, ["run", "s.toml"], ["s.toml", "extends", "file name"]),
    ("extends-folder", {"s.toml": 'extends = "sub"\n', "sub": None}, ["run", "s.toml"], ["extends", "folder"]),
    ("extends-malformed-parent", {"s.toml": 'extends = "p.toml"\nname = "t"\n', "p.toml": "[run\n"}, ["run", "s.toml"],
     ["p.toml", "line 1", "column"]),
    ("extends-bad-key-in-parent", {"s.toml": 'extends = "p.toml"\nname = "t"\n', "p.toml": "[run]\nyeras = 1\n"},
     ["run", "s.toml"], ["p.toml", "run.yeras", "did you mean 'years'"]),
    # --- --set and options
    ("set-without-equals", {"s.toml": OK}, ["run", "s.toml", "--set", "run.years"], ["--set", "run.years", "KEY=VALUE"]),
    ("set-empty-key", {"s.toml": OK}, ["run", "s.toml", "--set", "=3"], ["--set", "dotted key"]),
    ("set-empty-part", {"s.toml": OK}, ["run", "s.toml", "--set", "run..years=3"], ["--set", "dotted key"]),
    ("set-unknown-key", {"s.toml": OK}, ["run", "s.toml", "--set", "run.yeras=3"], ["--set", "run.yeras", "did you mean"]),
    ("set-below-a-value", {"s.toml": OK}, ["run", "s.toml", "--set", "run.years.x=1"], ["--set", "run.years"]),
    ("set-wrong-type", {"s.toml": OK}, ["run", "s.toml", "--set", "run.years=abc"], ["--set", "run.years", "whole number"]),
    ("set-out-of-range", {"s.toml": OK}, ["run", "s.toml", "--set", "demand.dol_share=2"], ["--set", "demand.dol_share"]),
    ("set-extends", {"s.toml": OK}, ["run", "s.toml", "--set", "extends=s.toml"], ["--set", "extends"]),
    ("seeds-zero", {"s.toml": OK}, ["run", "s.toml", "--seeds", "0"], ["--seeds", "run.seeds", "1 to 1000"]),
    ("seeds-not-a-number", {"s.toml": OK}, ["run", "s.toml", "--seeds", "abc"], ["--seeds", "not a valid integer"]),
    # the same key from --set and an option: the line names whichever the bad value came from
    ("set-bad-beside-good-option", {"s.toml": OK}, ["run", "s.toml", "--seeds", "2", "--set", "run.seeds=0"],
     ["--set: run.seeds: 0 is out of range"]),
    ("option-bad-beside-good-set", {"s.toml": OK}, ["run", "s.toml", "--seeds", "0", "--set", "run.seeds=3"],
     ["--seeds: run.seeds: 0 is out of range"]),
    ("set-malformed-beside-option", {"s.toml": OK}, ["run", "s.toml", "--years", "1", "--set", "run.years"],
     ["--set: run.years: expected KEY=VALUE"]),
    ("years-too-many", {"s.toml": OK}, ["run", "s.toml", "--years", "100"], ["--years", "run.years", "1 to 50"]),
    ("seed-negative", {"s.toml": OK}, ["run", "s.toml", "--seed", "-1"], ["--seed", "run.root_seed"]),
    ("unknown-option", {"s.toml": OK}, ["run", "s.toml", "--frobnicate"], ["--frobnicate"]),
    ("workers-zero", {"s.toml": OK}, ["run", "s.toml", "--workers", "0"], ["--workers"]),
    ("unknown-command", {}, ["runn"], ["runn", "No such command"]),
    # --- output folders
    ("out-is-a-file", {"s.toml": OK, "o.txt": "x"}, ["run", "s.toml", "--out", "o.txt"], ["o.txt", "file"]),
    ("out-under-a-file", {"s.toml": OK, "o.txt": "x"}, ["run", "s.toml", "--out", "o.txt/sub"], ["o.txt", "not a folder"]),
    ("out-holds-user-files", {"s.toml": OK, "mine/notes.txt": "keep me"}, ["run", "s.toml", "--out", "mine"],
     ["mine", "holds other files"]),
    # --- other commands map bad input the same way
    ("validate-bad-key", {"s.toml": OK.replace("years", "yeers")},
     ["validate", "s.toml"], ["run.yeers", "did you mean 'years'"]),
    ("validate-missing", {}, ["validate", "gone.toml"], ["gone.toml", "not found"]),
    ("sweep-range-outside-schema", {"s.toml": OK, "w.toml": SWEEP.replace("lo = 0.0", "lo = -1.0")},
     ["sweep", "w.toml", "--out", "sw"], ["w.toml", "commissioning.block_share", "out of range"]),
    ("sweep-unknown-key", {"s.toml": OK, "w.toml": SWEEP.replace("lo = 0.0", "lo = 0.0\ntypo = 1")},
     ["sweep", "w.toml", "--out", "sw"], ["w.toml", "typo", "did you mean 'type'"]),
    ("sweep-missing-scenario", {"w.toml": SWEEP}, ["sweep", "w.toml", "--out", "sw"], ["w.toml", "scenario", "s.toml"]),
    ("compare-bad-other", {"s.toml": OK, "b.toml": toml("[demand]\ndol_share = 9\n")},
     ["compare", "s.toml", "b.toml", "--out", "cmp"], ["b.toml", "demand.dol_share"]),
]


def _write(tmp: Path, files: dict) -> None:
    for name, content in files.items():
        p = tmp / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            p.mkdir()
        elif isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")


def _tree(tmp: Path) -> set:
    return {str(p.relative_to(tmp)) for p in tmp.rglob("*")}


def assert_bad_input(result, fragments, before: set, tmp: Path):
    err = result.stderr
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert result.exit_code == 2, (result.exit_code, err, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert len(lines) == 1, err
    assert "Traceback" not in err and "Traceback" not in result.stdout
    assert lines[0].startswith("simmarket: error: ")
    for frag in fragments:
        assert frag in lines[0], (frag, lines[0])
    assert _tree(tmp) == before, "something was written"  # no output or hidden partial folder


@pytest.mark.parametrize("files, argv, fragments", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input(tmp_path, monkeypatch, files, argv, fragments):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, files)
    if argv[0] == "run" and "--out" not in argv:
        argv = [*argv, "--out", "out"]
    before = _tree(tmp_path)
    result = CliRunner().invoke(main, argv)
    assert_bad_input(result, fragments, before, tmp_path)


def test_the_table_is_large_and_distinct():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids)) >= 40
    assert len({(repr(c[1]), tuple(c[2])) for c in CASES}) == len(CASES)


# --- faults the table cannot write down as files ----------------------------------------------


def test_unreadable_file(tmp_path, monkeypatch):
    """Permission denied on the scenario (simulated when running as root, who can read anything)."""
    monkeypatch.chdir(tmp_path)
    f = tmp_path / "s.toml"
    f.write_text(OK)
    f.chmod(0)
    if os.geteuid() == 0:
        real = Path.read_bytes

        def denied(self):
            if self.name == "s.toml":
                raise PermissionError(errno.EACCES, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", denied)
    before = _tree(tmp_path)
    result = CliRunner().invoke(main, ["run", "s.toml", "--out", "out"])
    assert_bad_input(result, ["s.toml", "permission denied"], before, tmp_path)


def test_out_permission_denied_is_reported_before_running(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text(OK)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.geteuid() == 0:  # root ignores modes: simulate what a normal user meets
        import simmarket.experiment.outputs as outputs

        real = os.access
        monkeypatch.setattr(outputs.os, "access", lambda p, mode: False if Path(p) == locked else real(p, mode))
    before = _tree(tmp_path)
    result = CliRunner().invoke(main, ["run", "s.toml", "--out", "locked/out"])
    assert_bad_input(result, ["locked", "permission denied"], before, tmp_path)
    locked.chmod(0o700)


def test_out_permission_denied_while_writing(tmp_path, monkeypatch):
    """The folder becomes unwritable during the run: one line, exit 2, no partial folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text(OK)
    real = Path.mkdir

    def denied(self, *a, **k):
        if ".partial-" in self.name:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self, *a, **k)

    monkeypatch.setattr(Path, "mkdir", denied)
    before = _tree(tmp_path)
    result = CliRunner().invoke(main, ["run", "s.toml", "--out", "deep/er/out", "--workers", "1"])
    assert_bad_input(result, ["deep/er/out", "permission denied", "nothing was written"], before, tmp_path)


def test_disk_full_is_one_line_exit_1_and_leaves_nothing(tmp_path, monkeypatch):
    import simmarket.experiment.outputs as outputs

    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text(OK)
    real = outputs.write_json

    def full(path, obj):
        real(path, obj)  # part of the folder is written, then the disk fills
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(outputs, "write_json", full)
    before = _tree(tmp_path)
    result = CliRunner().invoke(main, ["run", "s.toml", "--out", "out", "--workers", "1"])
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1, result.stderr
    assert len(lines) == 1 and "no space left" in lines[0] and "out" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert _tree(tmp_path) == before


def test_an_earlier_result_folder_is_replaced_but_user_files_never_are(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text(OK)
    argv = ["run", "s.toml", "--out", "res", "--workers", "1", "--set", "run.years=1"]
    first = CliRunner().invoke(main, argv)
    assert first.exit_code == 0, first.output
    (tmp_path / "res" / "stale.txt").write_text("from the earlier run")
    again = CliRunner().invoke(main, argv)
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in (tmp_path / "res").iterdir()) == [
        "by_authority.csv", "manifest.json", "summary.json", "timeseries.parquet", "yearly.parquet"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("argv, fragment", [
    (["run", "s.toml", "--seeds", "abc"], "--seeds"),
    (["run", "s.toml", "--set", "run.yeras=2"], "run.yeras"),
    (["run", "missing.toml"], "missing.toml"),
    (["validate", "s.toml", "--set", "demand.dol_share=nan"], "demand.dol_share"),
])
def test_real_process_exit_status_and_one_line(tmp_path, argv, fragment):
    """The same through a real interpreter: the console entry point, stderr and exit status."""
    (tmp_path / "s.toml").write_text(OK)
    proc = subprocess.run([sys.executable, str(ROOT / "run.py"), *argv], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in proc.stderr, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]


def test_bom_is_accepted(tmp_path):
    """A UTF-8 byte-order mark (Windows editors) is not an error."""
    (tmp_path / "s.toml").write_bytes(b"\xef\xbb\xbf" + OK.encode())
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "s.toml")])
    assert result.exit_code == 0, result.output


def test_retired_commissioning_mode_is_accepted_with_one_warning(tmp_path, monkeypatch):
    """commissioning.mode is retired: still accepted (CONTRACT.md cites it), one warning line, no effect."""
    monkeypatch.chdir(tmp_path)
    Path("s.toml").write_text(toml('[commissioning]\nmode = "rcc"\n'))
    res = CliRunner().invoke(main, ["validate", "s.toml"])
    assert res.exit_code == 0, res.output
    warned = [line for line in res.stderr.splitlines() if "commissioning.mode" in line]
    assert len(warned) == 1 and "no effect" in warned[0] and "rcc] membership" in warned[0]
    assert "commissioning.mode = 'rcc'" in res.stdout and "RETIRED" in res.stdout
    res = CliRunner().invoke(main, ["validate", "s.toml", "--set", "commissioning.mode=spot"])
    assert res.exit_code == 0 and "commissioning.mode" not in res.stderr
