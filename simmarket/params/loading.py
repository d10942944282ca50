"""Reading scenario files: TOML, `extends` chains, `--set` overrides and the shipped scenarios.

`load(name_or_path, overrides)` is the one entry point. A name that is not an existing file is
looked up among the scenarios shipped with the package (the repository's scenarios/ folder,
installed as `simmarket/scenarios`), so `simmarket run baseline` works from any folder.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .schema import Scenario, from_dict
from .validation import set_dotted

PACKAGE = Path(__file__).resolve().parent.parent


def shipped_dir() -> Path:
    """The shipped scenarios: inside an installed package, else the checkout's scenarios/ folder."""
    for folder in (PACKAGE / "scenarios", PACKAGE.parent / "scenarios"):
        if (folder / "baseline.toml").is_file():
            return folder
    return PACKAGE / "scenarios"


def shipped_names(kind: str = "scenario") -> list[str]:
    """Names of the shipped scenarios (kind='scenario') or sweeps (kind='sweep'), baseline first."""
    folder = shipped_dir() / ("sweeps" if kind == "sweep" else "")
    names = sorted(p.stem for p in folder.glob("*.toml"))
    return sorted(names, key=lambda n: n != "baseline")


def resolve(name_or_path: str | Path, kind: str = "scenario") -> Path:
    """An existing file as given, else the shipped scenario (or sweep) of that name.

    A name found nowhere is a ConfigError listing the shipped names.
    """
    path = Path(name_or_path)
    if path.exists():
        return path
    if len(path.parts) == 1:
        stem = path.name[:-5] if path.name.endswith(".toml") else path.name
        shipped = shipped_dir() / ("sweeps" if kind == "sweep" else "") / f"{stem}.toml"
        if stem and shipped.is_file():
            return shipped
    names = ", ".join(shipped_names(kind)) or "none"
    raise ConfigError(str(path), None, f"file not found, and no shipped {kind} has that name; "
                      f"shipped {kind}s: {names}")


BASELINE = shipped_dir() / "baseline.toml"


def read_toml(path: Path) -> dict:
    """A TOML file as a dict; any problem reading or parsing it is a one-line ConfigError."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(str(path), None, "file not found") from None
    except IsADirectoryError:
        raise ConfigError(str(path), None, "is a folder, not a TOML file") from None
    except PermissionError:
        raise ConfigError(str(path), None, "cannot read file: permission denied") from None
    except OSError as e:
        raise ConfigError(str(path), None, f"cannot read file: {e.strerror or e.__class__.__name__}") from None
    try:
        text = raw.decode("utf-8-sig")  # tolerate the byte-order mark some editors write
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ConfigError(str(path), None, f"not UTF-8 text (byte 0x{raw[e.start]:02x} at line {line}); "
                          "save the file as UTF-8") from None
    if "\x00" in text:
        raise ConfigError(str(path), None, "is a binary file, not TOML text")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(str(path), None, f"malformed TOML: {e}") from None


def merge(base: dict, over: dict) -> dict:
    """Nested tables merged, `over` winning."""
    out = dict(base)
    for k, v in over.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load_raw(path: str | Path, _chain: tuple = ()) -> dict:
    """Read a scenario file and everything it extends, merged (child wins)."""
    path = Path(path)
    resolved = path.resolve()
    if resolved in _chain:
        raise ConfigError(str(path), "extends", "circular extends: " + " -> ".join(p.name for p in (*_chain, resolved)))
    data = read_toml(path)
    if not data:
        raise ConfigError(str(path), None, "the file is empty (no keys); give at least a name or "
                          "'extends = \"baseline.toml\"' so that an empty or truncated file is not run as the defaults")
    parent = data.pop("extends", None)
    from_dict(data, str(path), cross=False)  # each file's own keys, so errors name the right file
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent.strip():
        raise ConfigError(str(path), "extends", f"expected a file name such as \"baseline.toml\", got {parent!r}")
    parent_path = (path.parent / parent) if not Path(parent).is_absolute() else Path(parent)
    if not parent_path.exists():
        raise ConfigError(str(path), "extends", f"file '{parent}' not found next to {path.name}")
    if parent_path.is_dir():
        raise ConfigError(str(path), "extends", f"'{parent}' is a folder, not a scenario file")
    return merge(load_raw(parent_path, (*_chain, resolved)), data)


def parse_set(item: str, source: str = "--set") -> tuple[str, Any]:
    """Parse KEY=VALUE from the command line; the value is read as TOML when it can be."""
    if "=" not in item:
        raise ConfigError(source, item, "expected KEY=VALUE, for example rcc.membership=regions")
    key, text = item.split("=", 1)
    key = ".".join(p.strip() for p in key.split("."))
    if not key or any(not p for p in key.split(".")):
        raise ConfigError(source, item, "expected a dotted key such as run.years")
    if key == "extends":
        raise ConfigError(source, key, "can only be given in a scenario file")
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        value = text
    return key, value



def load(name_or_path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Load, merge, override and validate a scenario file or shipped scenario name."""
    path = resolve(name_or_path)
    data = load_raw(path)
    given: dict = {}
    for item in overrides:
        key, value = parse_set(item)
        set_dotted(given, key, value, "--set")
        from_dict(given, "--set", cross=False)
        set_dotted(data, key, value, "--set")
    data.setdefault("name", path.stem)
    return from_dict(data, str(path))


def baseline() -> Scenario:
    """The calibrated England baseline shipped with the package."""
    return load(BASELINE)
