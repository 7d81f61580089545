"""Where cfprob finds its bundled scenario and keeps its cache."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from cfprob.errors import CacheError, CfprobError

__all__ = ["BUNDLED_SCENARIO", "bundled_scenario", "cache_dir", "cache_folder", "config_dir", "local_folders"]

BUNDLED_SCENARIO = "ussr"


def bundled_scenario() -> Path:
    """The folder of the bundled USSR scenario, in an installed wheel or a source checkout."""
    installed = resources.files("cfprob") / "scenarios" / BUNDLED_SCENARIO
    if installed.is_dir():
        return Path(str(installed))
    checkout = Path(__file__).resolve().parent.parent / "priors" / BUNDLED_SCENARIO
    if checkout.is_dir():
        return checkout
    raise CfprobError(
        f"the bundled scenario is missing: expected cfprob/scenarios/{BUNDLED_SCENARIO} in the installed "
        f"package or priors/{BUNDLED_SCENARIO} beside it, found neither; reinstall cfprob"
    )


def cache_dir() -> Path:
    """``$CFPROB_CACHE_DIR``, else ``$XDG_CACHE_HOME/cfprob``, else ``~/.cache/cfprob``."""
    if os.environ.get("CFPROB_CACHE_DIR"):
        return Path(os.environ["CFPROB_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cfprob"


def cache_folder(*parts: str) -> Path:
    """A folder inside the cache, created if needed; a one-line :class:`CacheError` if it cannot be."""
    folder = cache_dir().joinpath(*parts)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise CacheError(f"{folder}: expected a writable cache folder, found {reason} (set CFPROB_CACHE_DIR)") from exc
    return folder


def config_dir() -> Path:
    """``$CFPROB_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/cfprob``, else ``~/.config/cfprob``: the user's own
    settings and secrets, apart from the cache (which another process or user may be able to write)."""
    if os.environ.get("CFPROB_CONFIG_DIR"):
        return Path(os.environ["CFPROB_CONFIG_DIR"])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "cfprob"


def local_folders() -> dict[str, str]:
    """The environment that points a worker process at this process's cache and configuration folders."""
    return {"CFPROB_CACHE_DIR": str(cache_dir()), "CFPROB_CONFIG_DIR": str(config_dir())}
