"""Read a scenario folder and validate all of it before anything is computed.

:func:`load_scenario` returns a frozen :class:`~cfprob.reading.scenario.Scenario` or raises
:class:`~cfprob.errors.ScenarioError` listing every problem found, one line each. Nothing in a scenario
is executed; every file it names must stay inside its folder.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from cfprob.claims import KINDS, KindContext, has_likelihood
from cfprob.errors import ScenarioError
from cfprob.reading import fields as f
from cfprob.reading.evidence import EvidenceReader, read_evidence
from cfprob.reading.fields import BAD, Problems, describe, did_you_mean
from cfprob.reading.folder import SCHEMA_VERSION, ScenarioFolder
from cfprob.reading.lexicon import Lexicon, load_lexicon
from cfprob.reading.quotes import QuoteChecker, normalise_text
from cfprob.reading.scenario import (
    OTL,
    Claim,
    Claimant,
    Feature,
    Outcome,
    Passage,
    Pod,
    Scenario,
    Source,
    timeline_of,
)
from cfprob.reading.specs import (
    CLAIM_COMMON,
    CLAIMANT_SPEC,
    FEATURE_SPEC,
    OUTCOME_SPEC,
    PASSAGE_SPEC,
    POD_SPEC,
    SOURCE_SPEC,
    TIMELINE_SPEC,
    TOP_SPEC,
)

__all__ = ["SCHEMA_VERSION", "load_scenario", "normalise_text"]


def _items(raw: Any, name: str, problems: Problems, file: str) -> list[Any]:
    if raw is BAD or raw is None:
        return []
    if not isinstance(raw, list):
        problems.add(file, name, f"a list of [[{name}]] tables", describe(raw))
        return []
    return raw


def _label(kind: str, index: int, raw: Any) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"].strip():
        return f'{kind} "{raw["id"]}"'
    return f"{kind}[{index}]"


def _unique(values: list[tuple[str, str]], what: str, problems: Problems, file: str) -> None:
    counts = Counter(v for v, _ in values)
    for value, item in values:
        if counts[value] > 1:
            problems.add(file, item, f"a unique {what}", f'"{value}" used {counts[value]} times')
            counts[value] = 0


def load_scenario(path: str | Path, lexicon: Lexicon | None = None) -> Scenario:
    """Read and validate a scenario folder.

    Parameters
    ----------
    path
        The scenario folder (holding ``scenario.toml``, ``pods.toml`` and ``claims/``).
    lexicon
        The lexicon verbal claims are checked against; the bundled one by default.

    Raises
    ------
    ScenarioError
        With one line per problem.
    """
    root = Path(path)
    problems = Problems()
    if not root.exists():
        raise ScenarioError([f"{root}: expected a scenario folder, found nothing at that path"])
    if not root.is_dir():
        raise ScenarioError([f"{root}: expected a scenario folder, found a file"])
    lexicon = lexicon or load_lexicon()
    folder = ScenarioFolder(root, problems)
    loader = _Loader(folder, problems, lexicon)
    scenario = loader.load()
    if problems or scenario is None:
        raise ScenarioError(problems.lines or [f"{root}: expected a valid scenario, found none"])
    return scenario


class _Loader:
    def __init__(self, folder: ScenarioFolder, problems: Problems, lexicon: Lexicon) -> None:
        self.folder = folder
        self.problems = problems
        self.lexicon = lexicon
        # ids whose definition failed: references to them are not reported again
        self.broken_sources: set[str] = set()
        self.broken_pods: set[str] = set()
        self.pods_unreadable = False
        self.timeline: tuple[int, int] | None = None
        self.horizon_year = 10_000
        self.outcomes_broken = False
        self.quotes = QuoteChecker(problems, self.broken_sources)

    # -- scenario.toml -------------------------------------------------------------------------
    def load(self) -> Scenario | None:
        file = self.folder.show("scenario.toml")
        raw = self.folder.read_toml("scenario.toml")
        if raw is None:
            return None
        top = f.read_table(raw, TOP_SPEC, self.problems, file, "")
        if top is None:
            return None
        version = top["schema_version"]
        if version is not BAD and version != SCHEMA_VERSION:
            self.problems.add(
                file, "key 'schema_version'", f"{SCHEMA_VERSION} (the version this cfprob reads)", str(version)
            )
            return None
        self.horizon_year = top["horizon_year"] if top["horizon_year"] is not BAD else 10_000
        outcomes = self._outcomes(top["outcomes"], file)
        features = self._simple(
            top["features"], "features", FEATURE_SPEC, file, lambda c: Feature(c["id"], c["description"])
        )
        sources = self._sources(top["sources"], file)
        claimants = self._claimants(top["claimants"], file)
        outcome_ids = tuple(o.id for o in outcomes)
        evidence = read_evidence(
            top["evidence"],
            file,
            outcome_ids,
            EvidenceReader(
                self.folder, self.problems, self.horizon_year, self.outcomes_broken, tuple(x.id for x in features)
            ),
        )
        before = len(self.problems.lines)
        pods = self._pods(tuple(x.id for x in features), sources)
        declared = self._timeline(top["timeline"], file)
        if len(self.problems.lines) == before and evidence is not None:  # claims are checked against sound years
            self.timeline = self._checked_timeline(declared, pods, evidence.observed_year, file)
        claims = self._claims(outcome_ids, tuple(p.id for p in pods), sources, claimants)
        if self.problems or any(v is BAD for v in top.values()) or evidence is None:
            return None
        return Scenario(
            path=self.folder.root,
            id=top["id"],
            title=top["title"],
            question=top["question"],
            horizon_year=top["horizon_year"],
            outcomes=outcomes,
            features=features,
            sources=sources,
            claimants=claimants,
            pods=pods,
            claims=claims,
            evidence=evidence,
            content_hash=self.folder.content_hash(_lexicon_bytes()),
            declared_timeline=declared,
        )

    def _timeline(self, raw: Any, file: str) -> tuple[int, int] | None:
        """The declared ``[timeline]`` (None when there is none, or it is broken and reported)."""
        if raw is None or raw is BAD:
            return None
        clean = f.read_table(raw, TIMELINE_SPEC, self.problems, file, "timeline")
        if clean is None or any(v is BAD for v in clean.values()):
            return None
        if clean["start"] >= clean["end"]:
            self.problems.add(file, "timeline", "start < end", f"start = {clean['start']}, end = {clean['end']}")
            return None
        return clean["start"], clean["end"]

    def _checked_timeline(
        self, declared: tuple[int, int] | None, pods: tuple[Pod, ...], observed_year: int, file: str
    ) -> tuple[int, int] | None:
        """The timeline, once every divergence point and the observed year lie inside it (else reported)."""
        timeline = declared or timeline_of(pods, observed_year)
        start, end = timeline
        span = f"the timeline's years, {start} to {end}"
        ok = True
        if not start < observed_year <= end:
            self.problems.add(
                file, "evidence: key 'observed_year'", f"a year after the start and inside {span}", str(observed_year)
            )
            ok = False
        for pod in pods:
            if pod.year is not None and not start <= pod.year <= end:
                self.problems.add(
                    file,
                    "timeline",
                    f"{start} to {end} to hold every divergence point's year",
                    f'"{pod.id}" in {pod.year}',
                )
                ok = False
        return timeline if ok else None

    def _simple(self, raw: Any, name: str, spec: dict[str, f.Check], file: str, build: Any) -> tuple[Any, ...]:
        built, ids = [], []
        for i, item in enumerate(_items(raw, name, self.problems, file)):
            label = _label(name.rstrip("s"), i, item)
            clean = f.read_table(item, spec, self.problems, file, label)
            if clean is None or any(v is BAD for v in clean.values()):
                continue
            ids.append((clean["id"], label))
            built.append(build(clean))
        folded = [(i.casefold(), label) for i, label in ids]
        _unique(folded, f"{name.rstrip('s')} id (ids are compared without case)", self.problems, file)
        return tuple(built)

    def _outcomes(self, raw: Any, file: str) -> tuple[Outcome, ...]:
        outcomes = self._simple(
            raw, "outcomes", OUTCOME_SPEC, file, lambda c: Outcome(c["id"], c["label"], c["definition"])
        )
        if isinstance(raw, list) and len(raw) < 2:
            self.problems.add(file, "outcomes", "at least 2 [[outcomes]] tables", str(len(raw)))
        if not isinstance(raw, list) or len(raw) < 2 or len(outcomes) < len(raw):
            self.outcomes_broken = True  # references to outcomes cannot be checked
        return outcomes

    def _sources(self, raw: Any, file: str) -> tuple[Source, ...]:
        sources, ids = [], []
        for i, item in enumerate(_items(raw, "sources", self.problems, file)):
            label = _label("source", i, item)
            clean = f.read_table(item, SOURCE_SPEC, self.problems, file, label)
            if clean is None or any(v is BAD for v in clean.values()):
                if clean is not None and clean["id"] is not BAD:
                    self.broken_sources.add(clean["id"])  # already reported: references to it are not
                continue
            ids.append((clean["id"], label))
            content = self.folder.read_text(clean["file"], file, f"{label}: key 'file'")
            if content is not None and not content.strip():
                self.problems.add(
                    file, f"{label}: key 'file'", f'a source with text in "{clean["file"]}"', "an empty file"
                )
                content = None
            if content is None:
                self.broken_sources.add(clean["id"])
                continue
            sources.append(Source(clean["id"], clean["file"], clean["title"], clean["kind"], clean["url"], content))
        _unique(ids, "source id", self.problems, file)
        if isinstance(raw, list) and not raw:
            self.problems.add(file, "sources", "at least one [[sources]] table", "none")
        return tuple(sources)

    def _claimants(self, raw: Any, file: str) -> tuple[Claimant, ...]:
        claimants = self._simple(
            raw, "claimants", CLAIMANT_SPEC, file, lambda c: Claimant(c["id"], c["name"], c["aliases"], c["note"])
        )
        names: list[tuple[str, str]] = []
        for c in claimants:
            for name in {n.lower() for n in (c.id, c.name, *c.aliases)}:
                names.append((name, f'claimant "{c.id}"'))
        _unique(names, "claimant name or alias (names are matched without case)", self.problems, file)
        return claimants

    # -- pods.toml -----------------------------------------------------------------------------
    def _pods(self, features: tuple[str, ...], sources: tuple[Source, ...]) -> tuple[Pod, ...]:
        file = self.folder.show("pods.toml")
        raw = self.folder.read_toml("pods.toml")
        if raw is None:
            self.pods_unreadable = True
            return ()
        for key in raw:
            if key != "pods":
                self.problems.add(file, "", "only [[pods]] tables", f'the key "{key}"', did_you_mean(key, ["pods"]))
        pods: list[Pod] = []
        ids = []
        otl: Pod | None = None
        for i, item in enumerate(_items(raw.get("pods", []), "pods", self.problems, file)):
            label = _label("pod", i, item)
            clean = f.read_table(item, POD_SPEC, self.problems, file, label)
            if clean is None or any(v is BAD for v in clean.values()):
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    self.broken_pods.add(item["id"])
                continue
            ids.append((clean["id"], label))
            values = self._feature_values(clean["features"] or {}, features, file, label)
            passages = self._passages(clean["passages"], sources, file, label)
            pod = Pod(clean["id"], clean["year"], clean["title"], clean["description"], values, passages)
            if pod.id != OTL and pod.id.lower() == OTL:
                self.problems.add(
                    file, f"{label}: key 'id'", f'an id other than "{OTL}" in any case (reserved)', f'"{pod.id}"'
                )
            if pod.year is not None and pod.year >= self.horizon_year:
                self.problems.add(
                    file, f"{label}: key 'year'", f"a year before the horizon year {self.horizon_year}", str(pod.year)
                )
            if pod.id == OTL:
                if values or pod.year is not None:
                    self.problems.add(
                        file, label, "no features and no year (otl is real history)", "features or a year"
                    )
                otl = pod
            else:
                if pod.year is None:
                    self.problems.add(file, label, 'the key "year" (an integer)', "nothing")
                pods.append(pod)
        _unique(ids, "pod id", self.problems, file)
        if not pods:
            self.problems.add(file, "", "at least one divergence point besides otl", "none")
            self.pods_unreadable = True  # every reference would fail: say it once
        otl = otl or Pod(OTL, None, "Real history", "No divergence: history as it happened.", (), ())
        return (otl, *pods)

    def _feature_values(
        self, raw: dict[str, Any], features: tuple[str, ...], file: str, label: str
    ) -> tuple[tuple[str, float], ...]:
        values = []
        for name, value in raw.items():
            if name not in features:
                self.problems.add(
                    file,
                    f"{label}: features",
                    "a feature id from scenario.toml",
                    f'"{name}"',
                    did_you_mean(name, features),
                )
                continue
            x = f.number(0, 1).convert(value)
            if x is BAD:
                self.problems.add(
                    file, f"{label}: features: key '{name}'", "a finite number in [0, 1]", describe(value)
                )
                continue
            if x:
                values.append((name, x))
        return tuple(sorted(values))

    def _passages(self, raw: Any, sources: tuple[Source, ...], file: str, label: str) -> tuple[Passage, ...]:
        passages = []
        by_id = {s.id: s for s in sources}
        for j, item in enumerate(_items(raw, "passages", self.problems, file)):
            where = f"{label}: passages[{j}]"
            clean = f.read_table(item, PASSAGE_SPEC, self.problems, file, where)
            if clean is None or any(v is BAD for v in clean.values()):
                continue
            if self.quotes.check(clean["source"], clean["quote"], by_id, file, where):
                passages.append(Passage(clean["source"], clean["quote"]))
        return tuple(passages)

    # -- claims/*.toml -------------------------------------------------------------------------
    def _claims(
        self,
        outcomes: tuple[str, ...],
        pods: tuple[str, ...],
        sources: tuple[Source, ...],
        claimants: tuple[Claimant, ...],
    ) -> tuple[Claim, ...]:
        claims_dir = self.folder.root / "claims"
        if not claims_dir.is_dir():
            found = "a file" if claims_dir.exists() or claims_dir.is_symlink() else "nothing"
            self.problems.add(self.folder.show("claims"), "", "a folder of claim files", found)
            return ()
        files = sorted(p.name for p in claims_dir.iterdir() if p.suffix.lower() == ".toml")
        claims: list[Claim] = []
        ids: list[tuple[str, str]] = []
        for name in files:
            relative = f"claims/{name}"
            file = self.folder.show(relative)
            raw = self.folder.read_toml(relative)
            if raw is None:
                continue
            for key in raw:
                if key != "claims":
                    self.problems.add(
                        file, "", "only [[claims]] tables", f'the key "{key}"', did_you_mean(key, ["claims"])
                    )
            for i, item in enumerate(_items(raw.get("claims", []), "claims", self.problems, file)):
                label = _label("claim", i, item)
                claim = self._claim(item, file, label, outcomes, pods, sources, claimants)
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    ids.append((item["id"], f"{label} in {name}"))
                if claim is not None:
                    claims.append(claim)
        _unique(ids, "claim id across all claim files", self.problems, self.folder.show("claims"))
        self._steps(claims)
        if not files:
            self.problems.add(self.folder.show("claims"), "", "at least one claims/*.toml file", "none")
        elif not claims and not self.problems:
            self.problems.add(self.folder.show("claims"), "", "at least one claim", "none")
        return tuple(claims)

    def _claim(
        self,
        raw: Any,
        file: str,
        label: str,
        outcomes: tuple[str, ...],
        pods: tuple[str, ...],
        sources: tuple[Source, ...],
        claimants: tuple[Claimant, ...],
    ) -> Claim | None:
        if not isinstance(raw, dict):
            self.problems.add(file, label, "a table", describe(raw))
            return None
        kind = raw.get("kind")
        if not isinstance(kind, str) or kind not in KINDS:
            found = "nothing" if kind is None else describe(kind)
            self.problems.add(
                file,
                f"{label}: key 'kind'",
                f"one of {', '.join(KINDS)}",
                found,
                did_you_mean(kind, KINDS) if isinstance(kind, str) else "",
            )
            return None
        spec = KINDS[kind]
        clean = f.read_table(raw, {**CLAIM_COMMON, **spec.fields}, self.problems, file, label)
        if clean is None or any(v is BAD for v in clean.values()):
            return None
        ok = True
        author = self._author(clean["author"], claimants, file, label)
        ok &= author is not None
        ok &= self.quotes.check(clean["source"], clean["quote"], {s.id: s for s in sources}, file, label)
        for key in spec.pod_keys:
            if clean[key] not in pods:
                ok = False
                if self.pods_unreadable or clean[key] in self.broken_pods:
                    continue
                self.problems.add(
                    file,
                    f"{label}: key '{key}'",
                    "a divergence point id from pods.toml",
                    f'"{clean[key]}"',
                    did_you_mean(clean[key], pods),
                )
        ok &= self._condition(clean, pods, file, label)
        if self.outcomes_broken and ("outcome" in clean or "distribution" in clean):
            return None
        if clean.get("outcome") is not None and clean["outcome"] not in outcomes:
            self.problems.add(
                file,
                f"{label}: key 'outcome'",
                "an outcome id",
                f'"{clean["outcome"]}"',
                did_you_mean(clean["outcome"], outcomes),
            )
            ok = False
        ok &= self._history_year(clean, spec.pods, file, label)
        context = KindContext(self.problems, file, label, self.lexicon, outcomes, self.timeline)
        extra = spec.check(clean, context)
        if not ok or extra is None or author is None:
            return None
        values = {k: v for k, v in clean.items() if k != "author"}
        values.update(extra)
        claim = Claim(author=author, written_author=clean["author"], file=file, **values)
        return replace(claim, pods=spec.pods(claim), likelihood=has_likelihood(kind))

    def _steps(self, claims: list[Claim]) -> None:
        """Antecedent claims' ``after``: one previous step per divergence point (its plausibility is one
        quantity, P(it | that step)), and no chain that comes back to where it started."""
        after: dict[str, tuple[str | None, Claim]] = {}
        for c in claims:
            if c.kind != "antecedent" or not c.scored:
                continue
            seen = after.setdefault(str(c.pod), (c.after, c))
            if seen[0] != c.after:
                expected = f"the same previous step as {seen[1].id} ({seen[0] or 'none'}): one plausibility per point"
                self.problems.add(c.file, f"claim \"{c.id}\": key 'after'", expected, c.after or "none")
        for start in after:
            chain, pod = [start], after[start][0]
            while pod is not None and pod not in chain:
                chain.append(pod)
                pod = after[pod][0] if pod in after else None
            if pod == start:
                claim = after[start][1]
                found = " -> ".join([*chain, start])
                self.problems.add(
                    claim.file, f"claim \"{claim.id}\": key 'after'", "a chain of steps without a loop", found
                )
                return

    def _condition(self, clean: dict[str, Any], pods: tuple[str, ...], file: str, label: str) -> bool:
        """A claim's ``given``: other divergence points of pods.toml, each once, stacked on a divergence point
        (real history has happened: it is no condition and takes none); an antecedent claim's ``after``:
        another divergence point."""
        step = clean.get("after")
        if step is not None and (step == OTL or step == clean.get("pod") or step not in pods):
            expected = "another divergence point id from pods.toml (the step this one follows)"
            hint = did_you_mean(step, pods) if step not in pods else ""
            self.problems.add(file, f"{label}: key 'after'", expected, f'"{step}"', hint)
            return False
        given = clean.get("given") or ()
        if not given:
            return True
        where = f"{label}: key 'given'"
        shown = ", ".join(f'"{pod}"' for pod in given)
        if clean.get("pod") == OTL:
            self.problems.add(file, where, f'no condition on a claim about real history ("{OTL}")', shown)
            return False
        for pod in given:
            if pod == OTL:
                expected = f'divergence points (real history, "{OTL}", is no condition)'
                self.problems.add(file, where, expected, f'"{OTL}"')
                return False
            if pod not in pods:
                if not (self.pods_unreadable or pod in self.broken_pods):
                    self.problems.add(
                        file, where, "divergence point ids from pods.toml", f'"{pod}"', did_you_mean(pod, pods)
                    )
                return False
        if clean.get("pod") in given or len(set(given)) != len(given):
            expected = "other divergence points than the claim's pod, each once"
            self.problems.add(file, where, expected, shown)
            return False
        return True

    def _history_year(self, clean: dict[str, Any], pods_of: Any, file: str, label: str) -> bool:
        """A claim's ``year`` names a year of real history: only for a claim about otl, inside the timeline."""
        year = clean.get("year")
        if year is None:
            return True
        about = [k for k in ("pod", "higher", "lower", "other") if clean.get(k) == OTL]
        if not about:
            self.problems.add(
                file, f"{label}: key 'year'", 'no year (a year is for claims about real history, "otl")', str(year)
            )
            return False
        if self.timeline is not None and not self.timeline[0] <= year <= self.timeline[1]:
            first, last = self.timeline
            self.problems.add(file, f"{label}: key 'year'", f"a year inside the timeline, {first} to {last}", str(year))
            return False
        return True

    def _author(self, name: str, claimants: tuple[Claimant, ...], file: str, label: str) -> str | None:
        for c in claimants:
            if name.lower() in {c.id.lower(), c.name.lower(), *(a.lower() for a in c.aliases)}:
                return c.id
        known = [n for c in claimants for n in (c.name, *c.aliases)]
        self.problems.add(
            file,
            f"{label}: key 'author'",
            "a claimant's name, id or alias from scenario.toml",
            f'"{name}"',
            did_you_mean(name, known),
        )
        return None


def _lexicon_bytes() -> bytes:
    from importlib import resources

    data = resources.files("cfprob") / "data"
    return (data / "lexicon_v1.csv").read_bytes() + (data / "idioms.toml").read_bytes()
