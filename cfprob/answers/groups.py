"""A fit as a complete ArviZ object: the groups cfprob computes for its checks, kept on a saved result.

Besides ``posterior`` and ``sample_stats``, a result saved with ``cfprob run POD --out FILE.nc`` carries
``prior`` (draws from the model's prior through the same equations,
:func:`cfprob.answers.likelihood.draw_prior`), ``log_prior``, ``log_likelihood`` (each claim's, with a
``claim`` dimension and the claim's author, kind and divergence point as coords), ``posterior_predictive``,
``prior_predictive`` and ``observed_data`` (what each claim stated as one number, and the same number read off
replicated claims: a stated logit, 1 for a direction or range stated as it holds, the share given to the
likeliest outcome, a poll's average bin — one variable ``claims``, named like the log-likelihood),
``constant_data`` (the design) and, in the posterior, ``p_outcome(pod, outcome)`` with the scenario's labels
as coords. So ``azs.loo``, ``azs.psense_summary``, ``azp.plot_forest``, ``azp.plot_dist``,
``azs.loo_pit``, ``azp.plot_ppc_dist``, ``azp.plot_loo_pit``, ``azp.plot_prior_posterior``, ``azp.plot_trace``
and ``azp.plot_rank`` work on the
file as saved (``examples/arviz_on_a_saved_fit.py``). The cache keeps only the posterior and its statistics:
the groups nearly double a fit's file and load time, which cached answers should not pay.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from cfprob.answers.likelihood import claim_log_likelihood, claim_order, draw_prior, log_prior, replicate
from cfprob.claims import FAMILIES, KINDS
from cfprob.errors import CfprobError
from cfprob.fitting.draws import Draws
from cfprob.fitting.inference import DESIGN_ATTRS, design_attrs
from cfprob.fitting.priors import Priors, feature_sd

if TYPE_CHECKING:
    from cfprob.fitting.design import ModelData
    from cfprob.reading.scenario import Scenario

__all__ = ["GROUPS", "LIKELIHOOD", "ONE_ANSWER", "RENAMED", "SAMPLE_STATS_NAMES", "as_fit", "one_answer", "with_groups"]

GROUPS = (
    "prior",
    "log_prior",
    "log_likelihood",
    "posterior_predictive",
    "prior_predictive",
    "observed_data",
    "constant_data",
)
"""The groups :func:`with_groups` adds to a fit."""

RENAMED = {"alpha": "intercept"}
"""Variables renamed on a saved result because ArviZ uses the name itself (``alpha``: power-scaling's dimension)."""

SAMPLE_STATS_NAMES = {
    "logp": "lp",
    "depth": "tree_depth",
    "maxdepth_reached": "reached_max_treedepth",
    "mean_tree_accept": "acceptance_rate",
}
"""nutpie's sampler statistics under ArviZ's schema names."""

LIKELIHOOD = "claims"
"""The name of each claim's log-likelihood, replicas and stated number on a saved result: one variable over the
``claim`` dimension, so ``azs.loo`` (one log-likelihood) and ``azs.loo_pit`` (one per observed variable, of the
same name) both run on the file as saved."""

PRIOR_SEED = 20_261_130
"""The seed of the prior draws (fixed: the prior group is part of the fit, which ``--seed`` reproduces)."""


def with_groups(tree: xr.DataTree, scenario: Scenario, data: ModelData) -> xr.DataTree:
    """A copy of ``tree`` (a fit of ``scenario`` with design ``data``, or a result read back by
    :func:`as_fit`) as a complete ArviZ object: the groups of :data:`GROUPS`, named as ArviZ's schema names them
    (see the module's description)."""
    posterior = _internal(tree["posterior"].to_dataset())
    chains, per_chain = posterior.sizes["chain"], posterior.sizes["draw"]
    draws = Draws.from_posterior(posterior)
    claims = {c.id: c for c in scenario.claims}
    order = claim_order(data)
    claim_coords = {
        "claim": list(order),
        "claim_author": ("claim", [claims[i].author for i in order]),
        "claim_kind": ("claim", [claims[i].kind for i in order]),
        "claim_about": ("claim", [KINDS[claims[i].kind].about(claims[i]) for i in order]),
    }

    def shaped(values: np.ndarray) -> np.ndarray:
        return values.reshape(chains, per_chain, *values.shape[1:])

    coords = {"chain": posterior["chain"].values, "draw": posterior["draw"].values, **claim_coords}
    log_likelihood = xr.Dataset(
        {LIKELIHOOD: (("chain", "draw", "claim"), shaped(claim_log_likelihood(draws, data)))}, coords
    )
    predictive, observed = _replicas(draws, data, chains, per_chain, coords)
    prior, prior_draws = _prior(posterior, data, chains, per_chain)
    prior_predictive, _ = _replicas(prior_draws, data, chains, per_chain, coords)
    stats = tree["sample_stats"].to_dataset()
    groups = {
        "posterior": _exported(posterior),
        "sample_stats": stats.rename({k: v for k, v in SAMPLE_STATS_NAMES.items() if k in stats.data_vars}),
        "prior": _exported(prior),
        "log_prior": xr.Dataset({"log_prior": log_prior(posterior, data)}),
        "log_likelihood": log_likelihood,
        "posterior_predictive": predictive,
        "prior_predictive": prior_predictive,
        "observed_data": observed,
        "constant_data": _constant(
            data, scenario, order, claims, float(tree.attrs.get("prior_beta_sd", Priors().beta_sd))
        ),
    }
    kept = {name: child.to_dataset() for name, child in tree.children.items() if name not in (*groups, "design")}
    result = xr.DataTree.from_dict(kept | groups)
    result.attrs = dict(tree.attrs) | {"note": SAME_FIT_NOTE}
    return result


ONE_ANSWER = "one_answer"
"""The root attribute of a result slimmed to one answer (:func:`one_answer`): the divergence points it keeps."""

ONE_ANSWER_ALSO = ("sigma_u",)
"""What a result of one answer keeps beside ``p_outcome``."""

SAME_FIT_NOTE = (
    "log_likelihood and log_prior are those of the joint fit of every divergence point (fit_key): every result "
    "saved from one fit has the same, so comparing two such results (azs.compare) compares the fit with itself"
)


def one_answer(tree: xr.DataTree, pods: tuple[str, ...]) -> xr.DataTree:
    """``tree`` (from :func:`with_groups`) with the posterior and prior cut to ``p_outcome`` of ``pods`` and real
    history (and :data:`ONE_ANSWER_ALSO`): what one answer, leave-one-out, predictive checks and power-scaling
    need, a fraction of the size of the whole fit. It cannot answer other questions (``run --from`` says so)."""
    known = {str(p) for p in tree["posterior"].to_dataset()["pod"].values}
    kept = [p for p in dict.fromkeys(("otl", *pods)) if p in known]
    children = {name: child.to_dataset() for name, child in tree.children.items()}
    for name in ("posterior", "prior"):
        # sigma_u (how far divergences move answers) stays beside p_outcome: arviz-plots 1.3's
        # plot_psense_dist fails on a posterior of one variable
        children[name] = children[name][["p_outcome", *ONE_ANSWER_ALSO]].sel(pod=kept)
    result = xr.DataTree.from_dict(children)
    result.attrs = dict(tree.attrs) | {ONE_ANSWER: ",".join(kept), "note": SAME_FIT_NOTE}
    return result


def as_fit(tree: xr.DataTree) -> xr.DataTree:
    """A result saved with its groups (:func:`with_groups`) as cfprob's own code reads a fit: ``theta`` and
    ``alpha`` in the posterior, the ``design`` group; a tree that already is one comes back unchanged."""
    if "design" in tree.children or "constant_data" not in tree.children:
        return tree
    if ONE_ANSWER in tree.attrs:
        raise CfprobError(
            f"expected a whole fit (saved with run --out --whole), found the result of one answer "
            f"({tree.attrs[ONE_ANSWER]}): it holds only that answer's draws"
        )
    constant = tree["constant_data"].to_dataset()
    design_group = xr.Dataset(
        {"X": constant["X"], "year_weights": constant["year_weights"]},
        attrs={k: v for k, v in constant.attrs.items() if k in DESIGN_ATTRS},
    )
    children = {name: child.to_dataset() for name, child in tree.children.items()}
    children["posterior"] = _internal(children["posterior"])
    children["design"] = design_group
    result = xr.DataTree.from_dict(children)
    result.attrs = dict(tree.attrs)
    return result


def _internal(posterior: xr.Dataset) -> xr.Dataset:
    """A posterior under cfprob's own names (``theta``, ``alpha``), without the exported ``p_outcome``."""
    renamed = posterior.rename({v: k for k, v in RENAMED.items() if v in posterior and k not in posterior})
    if "theta" not in renamed and "p_outcome" in renamed:
        renamed = renamed.assign(theta=renamed["p_outcome"])
    return renamed.drop_vars([n for n in ("p_outcome",) if n in renamed])


def _exported(variables: xr.Dataset) -> xr.Dataset:
    """Posterior or prior draws under ArviZ-safe names: ``p_outcome`` for ``theta`` (P(outcome | divergence
    point)), :data:`RENAMED` for names ArviZ keeps for itself."""
    result = variables.rename({k: v for k, v in RENAMED.items() if k in variables})
    if "theta" in result:
        p = result["theta"].rename("p_outcome")
        p.attrs["description"] = "P(outcome | divergence point): each outcome's probability after each divergence"
        result = result.drop_vars("theta").assign(p_outcome=p)
    return result


def _replicas(
    draws: Draws, data: ModelData, chains: int, per_chain: int, coords: Mapping[str, object]
) -> tuple[xr.Dataset, xr.Dataset]:
    """Each claim's replicas and what it stated, as one number each (the family's ``statistic`` and
    ``observed``), in :func:`claim_order` under the log-likelihood's name and ``claim`` coords: the pairing
    ArviZ's leave-one-out PIT and predictive plots read."""
    replicas = replicate(draws, data, np.random.default_rng(PRIOR_SEED))
    predictive, observed = [], []
    for family in FAMILIES:
        block = data.blocks[family.name]
        if not len(block):
            continue
        assert family.observed is not None, f"the {family.name} family says what its claims stated"
        predictive.append(family.statistic(replicas[family.name], block))
        observed.append(np.asarray(family.observed(block), dtype=float))
    n = chains * per_chain
    replicated = np.concatenate(predictive, axis=1) if predictive else np.zeros((n, 0))
    stated = np.concatenate(observed) if observed else np.zeros(0)
    return (
        xr.Dataset({LIKELIHOOD: (("chain", "draw", "claim"), replicated.reshape(chains, per_chain, -1))}, coords),
        xr.Dataset({LIKELIHOOD: ("claim", stated)}, {k: v for k, v in coords.items() if k not in ("chain", "draw")}),
    )


def _prior(posterior: xr.Dataset, data: ModelData, chains: int, per_chain: int) -> tuple[xr.Dataset, Draws]:
    """Prior draws of the posterior's main variables, with the posterior's names and dims, and as draws."""
    prior = draw_prior(data, chains * per_chain, np.random.default_rng(PRIOR_SEED))
    assert prior.extra is not None, "prior draws carry their parameters"
    n_pods = len(data.pods)
    values = {
        "theta": prior.theta[:, :n_pods],
        "bias": prior.bias,
        "noise": prior.noise,
        "history": prior.history,
        "era": prior.era,
        **{k: v for k, v in prior.extra.items() if k in posterior},
    }
    if prior.tendency is not None and "tendency" in posterior:
        values["tendency"] = prior.tendency
    if prior.plausibility is not None and "plausibility" in posterior:
        values["plausibility"] = prior.plausibility
    variables = {
        name: (posterior[name].dims, np.asarray(v).reshape(chains, per_chain, *posterior[name].shape[2:]))
        for name, v in values.items()
        if name in posterior and v is not None
    }
    coords = {
        name: posterior[name] for name in posterior.coords if name in {d for v in variables.values() for d in v[0]}
    }
    return xr.Dataset(variables, coords=coords), prior


def _constant(
    data: ModelData, scenario: Scenario, order: tuple[str, ...], claims: Mapping[str, object], judgement: float
) -> xr.Dataset:
    """The design: features of each divergence point and the prior sd of each feature's effect (``judgement``
    where the data give none), their years as knot weights, the claims' weights, and the scenario's titles of
    divergence points and labels of outcomes; in its attributes, what the design group of a fit holds
    (:data:`~cfprob.fitting.inference.DESIGN_ATTRS`)."""
    weights = [float(getattr(claims[i], "weight", 1.0)) for i in order]
    confidence = [float(getattr(claims[i], "confidence", 1.0)) for i in order]
    titles = {p.id: p.title for p in scenario.pods}
    labels = {o.id: o.label for o in scenario.outcomes}
    return xr.Dataset(
        {
            "X": (("pod", "feature"), data.X),
            "feature_prior_sd": ("feature", feature_sd(data.feature_sd_data, Priors(beta_sd=judgement))),
            "feature_prior_from_data": ("feature", ~np.isnan(data.feature_sd_data)),
            "year_weights": (("pod", "knot"), data.year_weights),
            "pod_year": ("pod", [p.year if p.year is not None else -1 for p in scenario.pods]),
            "pod_title": ("pod", [titles.get(p, p) for p in data.pods]),
            "outcome_label": ("outcome", [labels.get(o, o) for o in data.outcomes]),
            "claim_weight": ("claim", weights),
            "claim_confidence": ("claim", confidence),
        },
        coords={
            "pod": list(data.pods),
            "outcome": list(data.outcomes),
            "feature": list(data.features),
            "knot": [int(y) for y in data.knots],
            "claim": list(order),
        },
        attrs=design_attrs(data),
    )
