"""Checks for the values found in scenario files.

Each check turns a raw TOML value into a clean Python value or says, in words, what was expected and
what was found. :class:`Problems` collects one-line messages that name the file and the item.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BAD",
    "Check",
    "Problems",
    "describe",
    "did_you_mean",
    "identifier",
    "integer",
    "number",
    "one_line",
    "optional_text",
    "read_table",
    "table",
    "text",
    "text_list",
]

IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class _Bad:
    def __repr__(self) -> str:
        return "BAD"


BAD: Any = _Bad()
"""Returned by :func:`read_table` for a value that failed its check (already reported)."""


def describe(value: object) -> str:
    """A short description of a found value for an error message."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"the non-finite number {value}"
    if isinstance(value, int | float):
        return f"the number {value:g}" if isinstance(value, float) else f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return "an empty string" if not value.strip() else f'the string "{shown}"'
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    return f"a value of type {type(value).__name__}"


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``' (did you mean "x"?)'`` for the closest choice, or a list of valid values when few."""
    options = sorted(set(choices))
    if len(name) > 100:  # no fuzzy matching of long strings: it is slow and never helpful
        return ""
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    if close:
        return f' (did you mean "{close[0]}"?)'
    if 0 < len(options) <= 8:
        return " (valid: " + ", ".join(options) + ")"
    return ""


def one_line(text: str, limit: int = 200) -> str:
    """``text`` on one line (control characters escaped), cut to ``limit`` characters."""
    flat = CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


class Problems:
    """Collects one-line problems, each naming file, item, what was expected and what was found."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, file: str, item: str, expected: str, found: str, hint: str = "") -> None:
        where = f"{one_line(file, 300)}: {one_line(item)}: " if item else f"{one_line(file, 300)}: "
        self.lines.append(f"{where}expected {expected}, found {one_line(found)}{one_line(hint)}")

    def __bool__(self) -> bool:
        return bool(self.lines)


@dataclass(frozen=True)
class Check:
    """A named check: ``convert`` returns the clean value or ``BAD``; ``expected`` says what is wanted."""

    expected: str
    convert: Callable[[Any], Any]
    required: bool = True
    default: Any = None
    schema: Mapping[str, Any] = field(default_factory=dict)
    """The value's JSON Schema (``cfprob schema``); empty where the check is more than a schema can say."""


def _finite_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def text(required: bool = True, default: str = "") -> Check:
    """A non-empty string."""
    return Check(
        "a non-empty string",
        lambda v: v.strip() if isinstance(v, str) and v.strip() else BAD,
        required,
        default,
        {"type": "string", "minLength": 1},
    )


def optional_text() -> Check:
    """A string, possibly empty; defaults to ``""``."""
    return Check("a string", lambda v: v if isinstance(v, str) else BAD, False, "", {"type": "string"})


def reason() -> Check:
    """Why a claim is left out: optional, but when present non-empty (an empty reason would leave the claim
    silently fitted)."""
    return Check(
        "a reason it is left out (non-empty text; delete the key to fit the claim)",
        lambda v: v.strip() if isinstance(v, str) and v.strip() else BAD,
        False,
        "",
        {"type": "string", "minLength": 1, "pattern": "\\S"},
    )


def identifier(required: bool = True) -> Check:
    """A short name of letters, digits, '-', '_' and '.'."""
    return Check(
        "an id of letters, digits, '-', '_' or '.' (at most 64 characters)",
        lambda v: v if isinstance(v, str) and IDENTIFIER.fullmatch(v) else BAD,
        required,
        None,
        {"type": "string", "pattern": f"^{IDENTIFIER.pattern}$"},
    )


def integer(low: int, high: int, required: bool = True) -> Check:
    """An integer in ``[low, high]``."""

    def convert(v: Any) -> Any:
        ok = isinstance(v, int) and not isinstance(v, bool) and low <= v <= high
        return v if ok else BAD

    return Check(
        f"an integer from {low} to {high}",
        convert,
        required,
        None,
        {"type": "integer", "minimum": low, "maximum": high},
    )


def number(
    low: float,
    high: float,
    *,
    low_open: bool = False,
    high_open: bool = False,
    required: bool = True,
    default: float | None = None,
) -> Check:
    """A finite number within the given bounds."""
    left, right = ("(" if low_open else "["), (")" if high_open else "]")
    bounds = f"a finite number in {left}{low:g}, {'inf' if math.isinf(high) else f'{high:g}'}{right}"

    def convert(v: Any) -> Any:
        x = _finite_number(v)
        if x is None:
            return BAD
        if x < low or (low_open and x == low) or x > high or (high_open and x == high):
            return BAD
        return x

    schema: dict[str, Any] = {"type": "number"}
    schema["exclusiveMinimum" if low_open else "minimum"] = low
    if math.isfinite(high):
        schema["exclusiveMaximum" if high_open else "maximum"] = high
    return Check(bounds, convert, required, default, schema)


def choice(values: tuple[str, ...], required: bool = True) -> Check:
    """One of ``values`` (optional: defaults to ``""``)."""
    return Check(
        f"one of {', '.join(values)}",
        lambda v: v if isinstance(v, str) and v in values else BAD,
        required,
        "",
        {"enum": list(values)},
    )


def text_list(required: bool = False) -> Check:
    """A list of non-empty strings; defaults to an empty tuple."""

    def convert(v: Any) -> Any:
        if not isinstance(v, list) or not all(isinstance(s, str) and s.strip() for s in v):
            return BAD
        return tuple(s.strip() for s in v)

    return Check(
        "a list of non-empty strings",
        convert,
        required,
        (),
        {"type": "array", "items": {"type": "string", "minLength": 1}},
    )


def table(required: bool = True) -> Check:
    """A TOML table (kept as a dict for a later, specific check)."""
    return Check("a table", lambda v: dict(v) if isinstance(v, Mapping) else BAD, required, None, {"type": "object"})


def read_table(
    raw: Any,
    spec: Mapping[str, Check],
    problems: Problems,
    file: str,
    item: str,
) -> dict[str, Any] | None:
    """Check one table against ``spec``: unknown keys, missing keys and each value.

    Returns the clean values (``BAD`` where a value failed), or ``None`` if ``raw`` is not a table.
    """
    if not isinstance(raw, Mapping):
        problems.add(file, item, "a table", describe(raw))
        return None
    suggested = set()
    for key in raw:
        if key not in spec:
            close = difflib.get_close_matches(str(key), list(spec), n=1, cutoff=0.6) if len(str(key)) <= 100 else []
            suggested.update(close)
            problems.add(
                file, item, f"only the keys {', '.join(spec)}", f'the unknown key "{key}"', did_you_mean(key, spec)
            )
    clean: dict[str, Any] = {}
    for key, check in spec.items():
        if key not in raw:
            if check.required and key not in suggested:  # a misspelling was already reported
                problems.add(file, item, f'the key "{key}" ({check.expected})', "nothing")
                clean[key] = BAD
            else:
                clean[key] = check.default
            continue
        value = check.convert(raw[key])
        if value is BAD:
            problems.add(file, f"{item}: key '{key}'", check.expected, describe(raw[key]))
        clean[key] = value
    return clean
