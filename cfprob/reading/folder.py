"""A scenario folder's files, read safely: paths kept inside the folder, special and over-large files refused
before reading, TOML keys with too many dotted parts refused before parsing (in linear time), and every byte
read remembered for the scenario's content hash."""

from __future__ import annotations

import hashlib
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from cfprob.reading.fields import Problems
from cfprob.reading.lexicon import LEXICON_VERSION
from cfprob.safe.inputs import MAX_FILE_BYTES

__all__ = ["MAX_DOTTED_PARTS", "MAX_FILE_BYTES", "SCHEMA_VERSION", "ScenarioFolder", "longest_dotted_key"]

SCHEMA_VERSION = 1
MAX_DOTTED_PARTS = 200
BLANKS = re.compile(r"[ \t]+")
DOT_WITH_SPACE = re.compile(r" ?\. ?")
KEY_BEFORE_EQUALS = re.compile(r"(?:^|[{,])[ \t]*([A-Za-z0-9_.\-\"']+)[ \t]*=", re.MULTILINE)
TABLE_HEADER = re.compile(r"^[ \t]*\[\[?[ \t]*([A-Za-z0-9_.\-\"']+)", re.MULTILINE)


class ScenarioFolder:
    """Reads files inside one scenario folder, remembering their bytes for the content hash."""

    def __init__(self, root: Path, problems: Problems) -> None:
        self.root = root
        self.problems = problems
        self.read: dict[str, bytes] = {}

    def show(self, relative: str) -> str:
        return str(self.root / relative)

    def inside(self, relative: str, file: str, item: str) -> Path | None:
        candidate = Path(relative)
        try:
            target = (self.root / candidate).resolve()
        except (ValueError, RuntimeError, OSError) as exc:  # NUL bytes, symlink loops
            self.problems.add(file, item, "a usable path inside the scenario folder", f'"{relative}" ({exc})')
            return None
        if candidate.is_absolute() or not target.is_relative_to(self.root.resolve()):
            self.problems.add(file, item, "a path inside the scenario folder", f'"{relative}"')
            return None
        return target

    def read_bytes(self, relative: str, file: str = "", item: str = "") -> bytes | None:
        path = self.inside(relative, file or self.show(relative), item)
        if path is None:
            return None
        shown = file or self.show(relative)
        where = item if file else ""
        expectation = f'a readable file "{relative}"' if file else "a readable file"
        try:
            info = path.stat()
            if stat.S_ISDIR(info.st_mode):
                self.problems.add(shown, where, expectation, "a directory")
                return None
            if not stat.S_ISREG(info.st_mode):
                self.problems.add(shown, where, expectation, "a special file (a pipe, socket or device)")
                return None
            if info.st_size > MAX_FILE_BYTES:
                self.problems.add(
                    shown, where, f"a file under {MAX_FILE_BYTES // 1_000_000} MB", f"{info.st_size // 1_000_000} MB"
                )
                return None
            data = path.read_bytes()
        except FileNotFoundError:
            self.problems.add(shown, where, expectation, "no such file")
            return None
        except OSError as exc:
            self.problems.add(shown, where, expectation, f"an unreadable file ({exc.strerror})")
            return None
        self.read[relative] = data
        return data

    def read_text(self, relative: str, file: str = "", item: str = "") -> str | None:
        data = self.read_bytes(relative, file, item)
        if data is None:
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.problems.add(
                file or self.show(relative),
                item if file else "",
                "UTF-8 text",
                f"bytes that are not UTF-8 (at byte {exc.start})",
            )
            return None

    def read_toml(self, relative: str) -> dict[str, Any] | None:
        content = self.read_text(relative)
        if content is None:
            return None
        parts = longest_dotted_key(content)
        if parts > MAX_DOTTED_PARTS:
            # tomllib takes quadratic time on such keys: refuse them before parsing
            self.problems.add(
                self.show(relative), "", f"keys of at most {MAX_DOTTED_PARTS} dotted parts", f"a key of {parts} parts"
            )
            return None
        try:
            return tomllib.loads(content)
        except tomllib.TOMLDecodeError as exc:
            self.problems.add(self.show(relative), "", "valid TOML", f"a syntax error: {exc}")
            return None
        except RecursionError:
            self.problems.add(self.show(relative), "", "valid TOML", "nesting too deep to read")
            return None

    def content_hash(self, lexicon_bytes: bytes) -> str:
        digest = hashlib.sha256()
        digest.update(f"schema{SCHEMA_VERSION}/lexicon-{LEXICON_VERSION}".encode())
        digest.update(lexicon_bytes)
        for name in sorted(self.read):
            digest.update(name.encode() + b"\0" + hashlib.sha256(self.read[name]).digest())
        return digest.hexdigest()


def longest_dotted_key(content: str) -> int:
    """The most dot-separated parts of any key in ``content``: a key before ``=`` or in a ``[table]`` header.

    Linear time; values (quotes, notes) are not looked at, so dots in prose never count.
    """
    # two passes, each linear: blank runs become one space, then a dot loses the spaces around it
    # (one pattern matching blanks on both sides of the dot backtracks quadratically on long blank runs)
    joined = DOT_WITH_SPACE.sub(".", BLANKS.sub(" ", content))
    keys = [m.group(1) for m in KEY_BEFORE_EQUALS.finditer(joined)]
    keys += [m.group(1) for m in TABLE_HEADER.finditer(joined)]
    return 1 + max((key.count(".") for key in keys), default=0)
