"""Authoring writes only what loads: the scenario a command would leave, loaded before anything is written."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from cfprob.errors import CfprobError, ScenarioError
from cfprob.reading.loader import load_scenario

__all__ = ["check_would_load"]


def check_would_load(folder: Path, files: Mapping[Path, str], command: str) -> None:
    """Load ``folder`` as it would be with ``files`` (paths inside it) written, in a temporary copy; a one-line
    :class:`CfprobError` naming ``command`` and the first problem when the loader would refuse it."""
    with tempfile.TemporaryDirectory(prefix="cfprob-check-") as temporary:
        copy = Path(temporary) / (folder.name or "scenario")
        if folder.is_dir():
            shutil.copytree(folder, copy, symlinks=True)
        for path, text in files.items():
            target = copy / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        try:
            load_scenario(copy)
        except ScenarioError as exc:
            problem = exc.problems[0].replace(str(copy), str(folder))
            raise CfprobError(
                f"{folder}: {command} would write a scenario the loader refuses, so it wrote nothing ({problem})"
            ) from None
