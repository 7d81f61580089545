"""The exceptions cfprob raises for problems a user can fix.

Every user-facing error is a :class:`CfprobError`. The command line prints its message as one line and
exits with code 1; a traceback is shown only with ``--debug``.
"""

from __future__ import annotations

__all__ = ["CacheError", "CfprobError", "QueryError", "ScenarioError"]


class CfprobError(Exception):
    """A problem the user can fix: bad input, a missing file, an unknown name."""


class ScenarioError(CfprobError):
    """A scenario folder failed validation.

    Parameters
    ----------
    problems
        One line per problem, each naming the file, the item, what was expected and what was found.
    """

    def __init__(self, problems: list[str]) -> None:
        if not problems:
            raise ValueError("ScenarioError needs at least one problem")
        self.problems = list(problems)
        more = len(self.problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''}; run `cfprob validate`)" if more else ""
        super().__init__(self.problems[0] + suffix)


class CacheError(CfprobError):
    """A cached or saved result cannot be used."""


class QueryError(CfprobError):
    """A question cannot be answered from a fit (unknown divergence point, bad feature values ...)."""
