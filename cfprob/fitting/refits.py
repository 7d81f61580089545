"""Refits: the model sampled again for changed data, several at once.

Sensitivity, cross-validation and simulation-based calibration each fit the same model many times with
arrays of the same shapes (claims at weight 0, simulated claims). Those fits are independent, so they run in
worker processes across the machine's cores (joblib's ``loky`` processes, the default), or on a Dask cluster
(``executor="dask"``; the ``cfprob[distributed]`` extra) for thousands of refits. Every refit is seeded by
its settings alone, so the draws are the same whichever way it runs: serially in this process, in workers,
or on a cluster (a test holds them equal).

Each worker loads the compiled model code from the on-disk cache (:mod:`cfprob.fitting.compiled`); it is
compiled here first when missing, so workers never compile at once. A refit's cores are the machine's divided
among the workers, so ``jobs`` refits of ``chains`` chains share the cores instead of fighting over them. By
default a refit gets as many cores as it has chains (its chains run side by side): one refit at a time on up to
``chains`` cores, in this process. Starting workers only pays once there are cores to spare: on 2 cores,
sensitivity's three refits took 70 s in two workers against 57 s one after another
(``benchmarks/results/waits.md``).
Only what the caller keeps of each fit (``keep``, a picklable function of the fitted tree: a mean, the
draws, ranks) travels back, never the whole tree.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cfprob.errors import CfprobError
from cfprob.paths import local_folders

if TYPE_CHECKING:  # the command line reads EXECUTORS at start-up: nothing heavier is imported here
    import xarray as xr

    from cfprob.fitting.design import ModelData
    from cfprob.fitting.priors import Priors
    from cfprob.fitting.provenance import SamplerSettings
    from cfprob.reading.scenario import Scenario

__all__ = ["EXECUTORS", "Refits", "refit_all"]

EXECUTORS = ("processes", "dask")
"""Where refits run: worker processes on this machine, or a Dask cluster."""


@dataclass(frozen=True)
class Refits:
    """How refits run.

    ``jobs``: refits at once (``None``: one per ``chains`` cores, at least one; on Dask, as many as the cluster
    takes). ``executor``:
    one of :data:`EXECUTORS`. ``scheduler``: a Dask scheduler's address (``tcp://host:8786``); without one
    the Dask executor starts a local cluster with one worker per job.
    """

    jobs: int | None = None
    executor: str = "processes"
    scheduler: str | None = None

    def __post_init__(self) -> None:
        if self.executor not in EXECUTORS:
            raise CfprobError(f"--executor: expected one of {', '.join(EXECUTORS)}, found {self.executor!r}")
        if self.jobs is not None and self.jobs < 1:
            raise CfprobError(f"--jobs: expected a whole number of at least 1, found {self.jobs}")
        if self.scheduler is not None and self.executor != "dask":
            raise CfprobError(f"--scheduler: expected only with --executor dask, found --executor {self.executor}")

    def workers(self, chains: int) -> int:
        """How many refits of ``chains`` chains run at once on this machine."""
        return self.jobs or max(1, (os.cpu_count() or 1) // max(1, chains))


def refit_all[T](
    scenario: Scenario,
    datasets: Sequence[ModelData],
    settings: SamplerSettings | Sequence[SamplerSettings],
    keep: Callable[[xr.DataTree], T],
    priors: Priors | None = None,
    how: Refits | None = None,
    on_done: Callable[[int, int], None] | None = None,
) -> list[T]:
    """Fit ``scenario``'s model to each of ``datasets`` (same shapes as its own arrays) and return ``keep`` of
    each fit, in order. ``settings`` is one for all refits or one per refit (seeds may differ); ``on_done``
    hears ``(done, total)`` as refits finish."""
    how = how or Refits()
    from cfprob.fitting.provenance import SamplerSettings

    every = [settings] * len(datasets) if isinstance(settings, SamplerSettings) else list(settings)
    if len(every) != len(datasets):
        raise ValueError(f"expected one sampler setting per refit ({len(datasets)}), found {len(every)}")
    total = len(datasets)
    if not total:
        return []
    workers = min(how.workers(every[0].chains), total)
    if how.executor == "processes" and workers == 1:
        results = []
        for done, (data, chosen) in enumerate(zip(datasets, every, strict=True), start=1):
            results.append(_refit(scenario, data, chosen, priors, None, keep))
            if on_done:
                on_done(done, total)
        return results
    _compile_first(datasets[0], every[0], priors)
    import joblib

    cores = max(1, (os.cpu_count() or 1) // workers) if how.executor == "processes" else 1
    # a reused worker process may have started under other folders; a cluster's workers keep their own
    folders = local_folders() if how.executor == "processes" else None
    tasks = (
        joblib.delayed(_refit)(scenario, data, chosen, priors, cores, keep, folders)
        for data, chosen in zip(datasets, every, strict=True)
    )
    if how.executor == "dask":
        with _dask_client(how, workers), joblib.parallel_config(backend="dask"):
            return _collect(joblib.Parallel(n_jobs=-1, return_as="generator")(tasks), total, on_done)
    return _collect(joblib.Parallel(n_jobs=workers, return_as="generator")(tasks), total, on_done)


def _collect[T](results: Any, total: int, on_done: Callable[[int, int], None] | None) -> list[T]:
    collected: list[T] = []
    for result in results:
        collected.append(result)
        if on_done:
            on_done(len(collected), total)
    return collected


def _refit[T](
    scenario: Scenario,
    data: ModelData,
    settings: SamplerSettings,
    priors: Priors | None,
    cores: int | None,
    keep: Callable[[xr.DataTree], T],
    folders: Mapping[str, str] | None = None,
) -> T:
    from cfprob.fitting.inference import fit

    os.environ.update(folders or {})
    return keep(fit(scenario, settings, data=data, priors=priors, cores=cores))


def _compile_first(data: ModelData, settings: SamplerSettings, priors: Priors | None) -> None:
    """The compiled model code in the on-disk cache before any worker looks for it."""
    if settings.sampler == "nutpie":
        from cfprob.fitting.compiled import compiled_model

        compiled_model(data, lambda _message: None, priors)


class _dask_client:
    """A Dask client for the refits: to ``how.scheduler``, or to a local cluster of ``workers`` processes
    (closed afterwards)."""

    def __init__(self, how: Refits, workers: int) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise CfprobError(
                "--executor dask: expected the distributed package, found it not installed "
                "(install cfprob[distributed])"
            ) from None
        self._cluster = None
        if how.scheduler is None:
            self._cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self._client = Client(self._cluster)
        else:
            try:
                self._client = Client(how.scheduler, timeout=10)
            except OSError as exc:
                raise CfprobError(
                    f"--scheduler: expected a Dask scheduler at {how.scheduler}, found none ({exc})"
                ) from None

    def __enter__(self) -> _dask_client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
