"""Every output sink escaped for where the text sits, checked with real parsers: a scenario whose names, titles,
locators and URLs carry markup of every format is reported as HTML, Markdown and BBCode; each is rendered by
a real parser (Python's HTML parser; markdown-it, CommonMark with raw HTML on, as forums render Markdown; the
bbcode package, as boards render BBCode) and no link, image, script or quote may come from the scenario's text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cfprob.reading.loader import load_scenario

from .fakes import install_fake_fit, invoke

bbcode = pytest.importorskip("bbcode")
markdown_it = pytest.importorskip("markdown_it")

EVIL = "evil.example"
HOSTILE_NAME = (
    f'Ripper"] [url=http://{EVIL}]click[/url] [quote="x <script>alert(1)</script> [l](http://{EVIL}) '
    f"[/code][url=http://{EVIL}]z[/url]"
)
HOSTILE_TITLE = f"No <img src=x onerror=alert(1)> [url=http://{EVIL}]x[/url] **Great** Depression [a](//{EVIL})"
HOSTILE_SOURCE = f'A thread"] [b]bold[/b] <a href="http://{EVIL}">x</a> [img]http://{EVIL}/i.png[/img]'
HOSTILE_LOCATOR = f'post 1 [/quote][url=http://{EVIL}]y[/url] <iframe src="http://{EVIL}">'


class _Markup(HTMLParser):
    """Every tag and attribute of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def _markup(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser.tags


def _escaped(tags: list[tuple[str, dict[str, str]]]) -> list[str]:
    """What markup came from the scenario's text: tags no report writes, handlers, links to EVIL, images other
    than the report's own (embedded, or a PNG beside the Markdown file)."""
    found = [tag for tag, _ in tags if tag in ("script", "iframe")]
    for tag, attrs in tags:
        found += [f"{tag} {k}={v}" for k, v in attrs.items() if k.startswith("on") or (k in LINKS and EVIL in v)]
        source = attrs.get("src", "")
        if tag == "img" and not (source.startswith("data:image/png;base64,") or re.fullmatch(r"[\w.-]+\.png", source)):
            found.append(f"img {source}")
    return found


LINKS = ("href", "src", "action", "formaction", "cite", "background")
"""Attributes whose value a browser follows (an EVIL address in alt text or a title is only text)."""


@pytest.fixture
def hostile(weimar: Path) -> Path:
    """The small scenario with markup of every kind in a claimant's name, a title, a source and a locator."""
    from cfprob.safe.neutralise import for_toml

    scenario = weimar / "scenario.toml"
    text = scenario.read_text(encoding="utf-8")
    text = text.replace('name = "Ada"', f'name = {for_toml(HOSTILE_NAME)}\naliases = ["Ada"]', 1)
    text = text.replace('title = "A made-up test thread"', f"title = {for_toml(HOSTILE_SOURCE)}", 1)
    scenario.write_text(text, encoding="utf-8")
    pods = weimar / "pods.toml"
    pods.write_text(pods.read_text().replace('title = "No Great Depression"', f"title = {for_toml(HOSTILE_TITLE)}"))
    claims = next((weimar / "claims").glob("*.toml"))
    claims.write_text(claims.read_text().replace('locator = "post 1"', f"locator = {for_toml(HOSTILE_LOCATOR)}", 1))
    loaded = load_scenario(weimar)
    assert loaded.claimant("ada").name == HOSTILE_NAME and loaded.pod("no-depression-1929").title == HOSTILE_TITLE
    install_fake_fit(loaded)
    return weimar


def _reports(folder: Path, out: Path) -> dict[str, str]:
    paths = {kind: out / f"r.{kind}" for kind in ("html", "md", "bbcode")}
    args = ["report", "no-depression-1929", "--scenario", str(folder)]
    code, _, err = invoke(*args, *(a for p in paths.values() for a in ("--out", str(p))))
    assert code == 0, err
    return {kind: path.read_text(encoding="utf-8") for kind, path in paths.items()}


def _rendered(kind: str, text: str) -> str:
    """The report as a browser or a board shows it: HTML as it is, Markdown and BBCode rendered."""
    if kind == "md":
        return str(markdown_it.MarkdownIt("commonmark", {"html": True}).render(text))
    if kind == "bbcode":
        # boards that link bare addresses link one written in a scenario's text as in any post: not markup
        return str(bbcode.Parser(replace_links=False).format(text))
    return text


@pytest.mark.parametrize("kind", ["html", "md", "bbcode"])
def test_no_markup_escapes_from_the_scenarios_text(hostile: Path, tmp_path: Path, kind: str) -> None:
    text = _reports(hostile, tmp_path)[kind]
    assert HOSTILE_NAME.split('"')[0] in text  # the hostile claimant is in the report
    assert _escaped(_markup(_rendered(kind, text))) == []


@pytest.mark.parametrize(
    ("kind", "module", "name"),
    [("md", "cfprob.outputs.pages", "for_markdown"), ("bbcode", "cfprob.outputs.forum", "for_bbcode")],
)
def test_the_parsers_find_markup_when_text_is_not_escaped(
    hostile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, module: str, name: str
) -> None:
    """The check can fail: with the Markdown or the BBCode neutraliser replaced by the text as it is (for BBCode:
    as it was, inside XenForo's [plain], which this parser, like phpBB, does not know), the rendered report
    holds links to the hostile site."""
    import importlib

    unescaped = (lambda text: f"[plain]{text}[/plain]") if kind == "bbcode" else (lambda text: text)
    monkeypatch.setattr(importlib.import_module(module), name, unescaped)
    text = _reports(hostile, tmp_path)[kind]
    assert any(EVIL in found for found in _escaped(_markup(_rendered(kind, text))))
