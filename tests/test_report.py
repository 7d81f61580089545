"""`cfprob report` and the plots: files, refusals, and the HTML page in a real headless Chromium."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cfprob.answers.query import Fit
from cfprob.errors import CfprobError
from cfprob.outputs.forum import BBCODE_LIMIT
from cfprob.outputs.plots import Labels, plot_densities, plot_forest, plot_ternary
from cfprob.paths import bundled_scenario
from cfprob.reading.loader import load_scenario

from .fakes import fake_fit, install_fake_fit, invoke


@pytest.fixture
def ussr_fit() -> None:
    install_fake_fit(load_scenario(bundled_scenario()))


def test_report_refuses_other_suffixes_and_existing_files(tmp_path: Path, ussr_fit: None) -> None:
    code, _, err = invoke("report", "kosygin-1965", "--out", str(tmp_path / "r.pdf"))
    assert code == 2 and "expected a file name ending in .html, .bbcode, .md" in err
    existing = tmp_path / "r.html"
    existing.write_text("mine")
    code, _, err = invoke("report", "kosygin-1965", "--out", str(existing))
    assert code == 1 and "--force" in err and existing.read_text() == "mine"


def test_several_formats_in_one_call(tmp_path: Path, ussr_fit: None) -> None:
    """--out repeated: one report computed, written in each format; a file named twice is bad usage."""
    html, post = tmp_path / "k.html", tmp_path / "k.bbcode"
    code, stdout, err = invoke("report", "kosygin-1965", "--out", str(html), "--out", str(post))
    assert code == 0, err
    assert stdout.count("Saved report to") == 2
    assert html.read_text().startswith("<!DOCTYPE html>") and "[quote=" in post.read_text()
    assert err.count("drawing the plots") == 1
    code, _, err = invoke(
        "report", "kosygin-1965", "--out", str(tmp_path / "x.html"), "--out", str(tmp_path / "x.html")
    )
    assert code == 2 and "expected each file once" in err and not (tmp_path / "x.html").exists()


def test_markdown_report_writes_plots_beside_it(tmp_path: Path, ussr_fit: None) -> None:
    out = tmp_path / "post.md"
    code, stdout, err = invoke("report", "kosygin-1965", "--out", str(out))
    assert code == 0, err
    text = out.read_text()
    assert "## Answer" in text and "| Stable democracy |" in text
    assert "Change is against real history at 1965." in text
    assert "Given what happened (rung 3): the same divergence, given that real history ended in collapse" in text
    assert "counterfactual given what happened (Pearl rung 3)" in text and "interventional (Pearl rung 2)" in text
    assert "Seen from either end of the claimants' worldview" in text
    assert "| outcome | low end | average worldview | high end |" in text
    _every_claim_is_listed(text, "kosygin-1965")
    assert "## Glossary" in text and "**Chance it raises**" in text
    assert "claims by General Ripper" in text or "claims by Alexander the Average" in text  # sources name posters
    drivers = text.split("## The claims that drive the answer", 1)[1].split("## Every claim")[0]
    first = drivers.strip().splitlines()[0]
    assert " on kosygin-1965" in first or "kosygin-1965 vs" in first, first  # its own claims come first
    head = text.split("**Question.**")[0]
    assert "**Kosygin beats Brezhnev (1965): stable democracy " in head and "![card](post-card.png)" in head
    for name in ("card", "claims", "ternary", "forest", "curve", "densities"):
        image = tmp_path / f"post-{name}.png"
        assert f"]({image.name})" in text
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Saved report to" in stdout


def test_bbcode_report_is_one_file_whose_charts_are_text(tmp_path: Path, ussr_fit: None) -> None:
    """A forum post to paste as it is: no image files, the answer and each claim drawn in [code] blocks, the
    drivers quoted with their author, scenario text literal."""
    out = tmp_path / "post.bbcode"
    code, stdout, err = invoke("report", "kosygin-1965", "--out", str(out))
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["post.bbcode"]
    text = out.read_text()
    assert text.split("\n")[2].startswith("[b]Kosygin beats Brezhnev (1965): stable democracy ")  # the answer first
    assert "[img]" not in text.lower() and "](" not in text
    assert "[size" not in text.lower()  # boards read its number differently (phpBB: percent)
    assert text.count("[code]") == text.count("[/code]") >= 3
    assert text.count("[quote=") == text.count("[/quote]") >= 3
    chart = text.split("[b]Answer[/b]\n[code]\n", 1)[1].split("[/code]", 1)[0].splitlines()
    assert [line.split("  ")[0] for line in chart[:3]] == ["Stable democracy", "Collapse", "Authoritarian"]
    assert all("●" in line for line in chart[:3]) and "0%" in chart[3] and "100%" in chart[3]
    claims = text.split("against the pooled answer[/b]\n[code]\n", 1)[1].split("[/code]", 1)[0]
    assert "General Ripper: Stable democracy" in claims and "◆" in claims and "pooled" in claims
    assert "[b]Sampler diagnostics[/b]" in text and "[b]Sources and how to cite[/b]" in text
    # a forum post's size: the driving claims that fit, the rest counted
    assert len(text) <= BBCODE_LIMIT, len(text)
    assert re.search(r"\[i\]\d+ more in the full report\.\[/i\]", text)
    assert "Settled:" not in text and "cfprob " + "run" not in text  # no encoders' notes, no advice for a terminal
    assert "Saved report to" in stdout


def test_a_bbcode_post_keeps_under_its_limit_by_leaving_drivers_out(tmp_path: Path, ussr_fit: None) -> None:
    """The check can fail: with a limit of 12,000 every driver fits and no line says some were left out."""
    import cfprob.outputs.forum as forum

    out = tmp_path / "post.bbcode"
    original = forum.BBCODE_LIMIT
    forum.BBCODE_LIMIT = 12_000
    try:
        code, _, err = invoke("report", "kosygin-1965", "--out", str(out))
    finally:
        forum.BBCODE_LIMIT = original
    assert code == 0, err
    text = out.read_text()
    assert original < len(text) <= 12_000 and "more in the full report" not in text


def test_strip_and_bbcode_text_by_hand() -> None:
    from cfprob.outputs.forum import _linked, for_bbcode, strip

    assert strip(0.25, 0.5, 0.75, width=8) == "··──●──··"
    assert strip(0.0, 0.0, 0.0, width=4) == "●····"
    with pytest.raises(ValueError, match="low <= mark <= high"):
        strip(0.5, 0.2, 0.9)
    assert for_bbcode("plain  words\n") == "plain words"
    assert for_bbcode("[b]loud[/b]") == "［b］loud［/b］"
    assert for_bbcode("x [/code][url]y") == "x ［/code］［url］y"
    assert for_bbcode("\x1b[31m") == "\\x1b［31m"
    assert (
        _linked("A thread (forum): https://example.org/t/1") == "A thread (forum): [url]https://example.org/t/1[/url]"
    )
    assert _linked("A thread (forum): javascript:alert(1)") == "A thread (forum): javascript:alert(1)"


def test_ternary_points_sit_inside_the_triangle() -> None:
    """Each drawn point is a convex combination of the corners (0, 0), (1, 0) and (1/2, sqrt(3)/2)."""
    fit = Fit.from_tree(fake_fit(load_scenario(bundled_scenario())))
    ax = plot_ternary(fit, ["kosygin-1965"])
    points = np.vstack([c.get_offsets() for c in ax.collections])
    x, y = points[:, 0], points[:, 1]
    assert (y >= -1e-9).all() and (y <= np.sqrt(3) * x + 1e-9).all() and (y <= np.sqrt(3) * (1 - x) + 1e-9).all()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["kosygin-1965", "real history, 1965"]


def test_forest_has_a_labelled_row_per_divergence_point() -> None:
    scenario = load_scenario(bundled_scenario())
    axes = plot_forest(Fit.from_tree(fake_fit(scenario)), highlight=["kosygin-1965"], labels=Labels.of(scenario))
    rows = [t.get_text() for t in axes[0].texts]
    assert len(rows) == len(scenario.pods) and "> Kosygin beats Brezhnev (1965)" in rows and "Real history" in rows
    legend = axes[0].get_figure().legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["Stable democracy", "Collapse", "Authoritarian"]


def test_densities_show_the_equal_tailed_90_percent_interval() -> None:
    """arviz-plots draws the interval it is given: its ends are the 5% and 95% quantiles of the draws."""
    scenario = load_scenario(bundled_scenario())
    fit = Fit.from_tree(fake_fit(scenario))
    axes = plot_densities(fit, ["kosygin-1965"], labels=Labels.of(scenario))
    assert [ax.get_title() for ax in axes] == ["Stable democracy", "Collapse", "Authoritarian"]
    theta = fit.theta[:, fit.index("kosygin-1965"), 0]
    ends = [sorted(line.get_xdata()) for line in axes[0].lines if len(line.get_xdata()) == 2]
    assert any(np.allclose(e, np.quantile(theta, [0.05, 0.95]), atol=1e-6) for e in ends)
    legend = axes[0].get_figure().legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["Kosygin beats Brezhnev (1965)", "real history, 1965"]


def test_labels_fall_back_to_ids_and_tell_shared_titles_apart() -> None:
    scenario = load_scenario(bundled_scenario())
    labels = Labels.of(scenario)
    assert labels.pod("kosygin-1965") == "Kosygin beats Brezhnev (1965)" and labels.title("otl") == "Real history"
    assert Labels().pod("kosygin-1965") == "kosygin-1965" and labels.outcome("nowhere") == "nowhere"
    pods = tuple(
        replace(p, title="Same title") if p.id in ("kosygin-1965", "bukharin-1928") else p for p in scenario.pods
    )
    shared = Labels.of(replace(scenario, pods=pods))
    assert shared.pod("kosygin-1965") == "Same title [kosygin-1965] (1965)"


def _browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail(
            "the report's browser test needs Chromium: apt-get install chromium (scripts/with-env.sh does this)"
        )
    from playwright.sync_api import sync_playwright

    return chromium, sync_playwright


def _not_blank(screenshot: Path, box: dict[str, float]) -> float:
    """Share of pixels in ``box`` of the screenshot that are not near-white."""
    from PIL import Image

    image = np.asarray(Image.open(screenshot).convert("L"), dtype=float)
    x, y, w, h = (round(box[k]) for k in ("x", "y", "width", "height"))
    region = image[y : y + h, x : x + w]
    return float((region < 235).mean())


def _every_claim_is_listed(text: str, pod: str) -> None:
    """Every claim about ``pod``, of every kind, once: among the claims that drive the answer or the others,
    with its source, locator, quote and note (and its kind among the others)."""
    from cfprob.safe.neutralise import for_markdown

    scenario = load_scenario(bundled_scenario())
    section = text.split("## The claims that drive the answer", 1)[1].split("## Glossary")[0]
    others = section.split("## The other claims about this divergence", 1)[-1]
    about = [c for c in scenario.claims if pod in c.pods]
    assert about
    for claim in about:
        title = scenario.source(claim.source).title
        assert section.count(f'"{for_markdown(claim.quote)}"') == 1, claim.id
        for part in (f"{title}, {claim.locator}", claim.note.split("\n")[0]):
            assert for_markdown(part) in section, (claim.id, part)
        if f'"{for_markdown(claim.quote)}"' in others:
            assert f"[{claim.kind}]" in others, claim.id


def test_a_report_shows_how_plausible_the_divergence_itself_is(tmp_path: Path, ussr_fit: None) -> None:
    """A divergence with antecedent claims: its plausibility beside the answer, apart from the outcomes."""
    out = tmp_path / "gorbachev.md"
    code, _, err = invoke("report", "early-gorbachev-1975", "--out", str(out))
    assert code == 0, err
    text = out.read_text()
    assert "Could the divergence itself have happened once prague-spring-1968 has happened?" in text
    assert "not part of the outcome probabilities above" in text
    # a step after another: the chain to it, each step's plausibility, and all of them (one has no claim)
    assert "The chain of steps: kosygin-1965 (no claim) -> prague-spring-1968 (after it, " in text
    assert "all of them: not known" in text


@pytest.mark.browser
def test_html_report_in_headless_chromium(tmp_path: Path, ussr_fit: None) -> None:
    """The page loads with no console errors; the screenshot shows the ternary plot, the forest and the table."""
    chromium, sync_playwright = _browser()
    out = tmp_path / "kosygin.html"
    code, _, err = invoke("report", "kosygin-1965", "--out", str(out))
    assert code == 0, err
    html = out.read_text()
    assert "http://" not in html.split("<body>")[0] and "<script" not in html  # nothing to fetch, nothing to run
    errors: list[str] = []
    shot = tmp_path / "screenshot.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
        page.goto(out.as_uri(), wait_until="load")
        boxes = {}
        for selector in (
            "#claims img",
            "#ternary img",
            "#forest img",
            "#curve img",
            "#densities img",
            "table#outcomes",
            "table#worldviews",
        ):
            element = page.locator(selector)
            assert element.is_visible(), selector
            if selector.endswith("img"):
                assert element.evaluate("e => e.complete && e.naturalWidth > 0"), selector
            boxes[selector] = element.bounding_box()
        page.screenshot(path=str(shot), full_page=True)
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.goto(out.as_uri(), wait_until="load")
        # a phone: the page does not scroll sideways; wide tables scroll inside themselves
        page_width = phone.evaluate("document.documentElement.scrollWidth")
        # the answer first: the headline sentence and the card within the first screen
        first_screen = [phone.locator(s).bounding_box() for s in ("#headline", "#card img", "table#outcomes")]
        answer_table = phone.locator("table#outcomes").evaluate("e => [e.scrollWidth, e.clientWidth]")
        card_loaded = phone.locator("#card img").evaluate("e => e.complete && e.naturalWidth > 0")
        phone.close()
        rows = page.locator("table#outcomes tbody tr").count()
        drivers = page.locator("#drivers li").first.inner_text()
        browser.close()
    assert errors == []
    assert page_width <= 390, page_width
    assert answer_table[0] <= answer_table[1], answer_table  # the answer's table fits: no sideways scroll in it
    assert card_loaded
    for box in first_screen[:2]:
        assert box is not None and box["y"] + box["height"] <= 844, box
    assert first_screen[2] is not None and first_screen[2]["y"] < 844  # the answer's table starts on the first screen
    assert rows == 3
    assert "on kosygin-1965" in drivers  # the claims about the divergence asked drive first
    for selector, box in boxes.items():
        assert box is not None and box["width"] > 200 and box["height"] > 50, selector
        assert _not_blank(shot, box) > 0.01, selector


def test_claims_against_the_answer_rows(weimar: Path) -> None:
    """Every claim about a divergence that states a chance or a direction is a row, as its words became."""
    from cfprob.outputs.plots import claim_rows, figure_bytes, plot_claims
    from cfprob.reading.lexicon import load_lexicon

    scenario = load_scenario(weimar)
    fit = Fit.from_tree(fake_fit(scenario))
    lexicon = load_lexicon()
    listed = claim_rows(fit, scenario, lexicon, "hindenburg-refuses-1933")
    rows = {label: (said, how) for label, _, said, _, how in listed}
    cleo = [(said, how) for label, _, said, _, how in listed if label == "Cleo: survives"]
    assert [how for _, how in cleo] == ["range", "at least"]  # her interval, then her endorsing "possible"
    assert cleo[0][0] == pytest.approx((0.2, 0.3, 0.4))
    likely = lexicon.lookup("likely")
    assert rows["Bert: dictatorship"] == (
        (likely.low90_pct / 100, likely.median_pct / 100, likely.high90_pct / 100),
        "range",
    )
    assert rows["Cleo: civil_war (same)"][0] is None and "about the same" in rows["Cleo: civil_war (same)"][1]
    assert not any(label.startswith("Ada") for label in rows)  # "can't even predict" states no chance
    assert figure_bytes(plot_claims(fit, scenario, lexicon, "hindenburg-refuses-1933"))[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_json_holds_the_pages_content(ussr_fit: None) -> None:
    import json

    code, out, err = invoke("report", "kosygin-1965", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["answer"]["question"] == "kosygin-1965"
    assert payload["drivers"][0]["about"].startswith("kosygin-1965")
    assert {c["kind"] for c in payload["claims"]} >= {"proposal", "verbal", "ordering"}
    assert invoke("report", "kosygin-1965")[0] == 2  # neither --out nor --json: bad usage
    # two divergence points are not silently stacked into one answer
    code, _, err = invoke("report", "kosygin-1965", "prague-spring-1968", "--json")
    assert code == 2 and "expected one divergence point per report, found 2" in err and "--stack" in err


def test_trace_and_rank_show_the_values_that_mixed_worst() -> None:
    """A value whose two chains sit apart has the lowest bulk ESS: it is the first one shown."""
    from cfprob.outputs.plots import plot_sampling, slowest

    scenario = load_scenario(bundled_scenario())
    tree = fake_fit(scenario)
    posterior = tree["posterior"].to_dataset()
    tree["posterior"] = posterior.assign(sigma_u=posterior["sigma_u"] + 5.0 * (posterior["chain"] == 0))
    chosen = slowest(tree, count=2)
    assert next(iter(chosen)).startswith("sigma_u") and len(chosen) == 2
    axes = plot_sampling(tree, "rank", count=2)
    assert axes[0].get_title().startswith("sigma_u")
    with pytest.raises(CfprobError, match="expected one of trace, rank"):
        plot_sampling(tree, "pair")


def test_a_stacked_report_is_asked_for(ussr_fit: None) -> None:
    """--stack: the answer after both divergence points together, its question naming both."""
    import json

    code, out, err = invoke("report", "kosygin-1965", "prague-spring-1968", "--stack", "--json")
    assert code == 0, err
    assert json.loads(out)["answer"]["question"] == "kosygin-1965 + prague-spring-1968"
