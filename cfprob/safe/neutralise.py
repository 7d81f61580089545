"""Text from a scenario, made safe for where it is shown: the terminal, an HTML page, a Markdown post.

A scenario is data written by anyone; its titles, quotes and URLs must not steer a terminal (escape
sequences), run in a page (``javascript:`` links, HTML) or change a forum post's markup.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

__all__ = ["for_bbcode", "for_bbcode_attribute", "for_html", "for_markdown", "for_terminal", "for_toml", "safe_url"]

TERMINAL_UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200b\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
"""Control characters but newline and tab (ESC among them: it starts the terminal's escape sequences), and the
invisible ones that change how text reads without showing: bidirectional embeddings, overrides and isolates
(U+202A-202E, U+2066-2069: "Trojan Source" reordering), the zero-width space, word joiner and invisible
operators, and the byte-order mark. The zero-width joiner and non-joiner (U+200C, U+200D) are left: scripts
such as Persian and emoji sequences need them."""
MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]<>|~!]|(?<!\w)_|_(?!\w))")
"""Markup characters; an underscore inside a word (``stable_democracy``) is literal in CommonMark already."""
MARKDOWN_LIST_NUMBER = re.compile(r"^(\d+)([.)])")
URL_SCHEMES = ("http", "https")


def for_terminal(text: str) -> str:
    """``text`` with the characters of :data:`TERMINAL_UNSAFE` shown as visible escapes such as ``\\x1b`` or
    ``\\u202e``."""
    return TERMINAL_UNSAFE.sub(lambda m: repr(m.group())[1:-1], text)


def for_html(text: object) -> str:
    """``text`` escaped for HTML content and attribute values."""
    return html.escape(str(text), quote=True)


def for_markdown(text: str) -> str:
    """``text`` as literal Markdown: markup characters and raw HTML backslash-escaped, one line."""
    flat = " ".join(for_terminal(text).split())
    escaped = MARKDOWN_SPECIAL.sub(r"\\\1", flat.replace("&", "&amp;"))
    if escaped[:1] in ("#", "+", "-", "="):  # would start a heading or a list where a line begins
        escaped = "\\" + escaped
    return MARKDOWN_LIST_NUMBER.sub(r"\1\\\2", escaped)


_BRACKETS = str.maketrans({"[": "\uff3b", "]": "\uff3d"})
"""Square brackets as their full-width lookalikes: shown instead, they open and close no BBCode tag."""
_ATTRIBUTE_BREAKERS = _BRACKETS | str.maketrans({'"': "\uff02"})


def for_bbcode_attribute(text: str) -> str:
    """``text`` inside a BBCode attribute (``[quote="…"]``): on one line, control characters escaped, and the
    quote and brackets that would end the attribute or open a tag shown as their full-width lookalikes."""
    return " ".join(for_terminal(text).split()).translate(_ATTRIBUTE_BREAKERS)


def for_toml(text: str) -> str:
    """``text`` as a TOML string value, escaped by a TOML writer (quotes, backslashes, every control character
    DEL included), so a file cfprob writes always parses and holds exactly ``text``."""
    import tomli_w

    return tomli_w.dumps({"v": text})[len("v = ") :].rstrip("\n")


def safe_url(url: str) -> str | None:
    """``url`` when it is an http(s) address with a host and no whitespace or control characters, else None."""
    if not url or any(c.isspace() for c in url) or TERMINAL_UNSAFE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in URL_SCHEMES and parts.netloc else None


def for_bbcode(text: str) -> str:
    """``text`` as literal BBCode on one line: control characters escaped, and its square brackets shown as
    their full-width lookalikes (［ ］), so it opens and closes no tag on any board. (XenForo's ``[plain]`` would
    keep the brackets, but phpBB and others do not know it and render what it holds.)"""
    return " ".join(for_terminal(text).split()).translate(_BRACKETS)
