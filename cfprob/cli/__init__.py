"""The ``cfprob`` command line: parse, call the library, print.

Commands are grouped in modules by what they do; importing this package registers them all. PyMC, PyTensor
and ArviZ are imported only by the commands that need them.
"""

from cfprob.cli import (  # noqa: F401  (importing registers the commands)
    answers,
    authoring,
    cache,
    checking,
    listing,
    pictures,
    validation,
)
from cfprob.cli.group import accept_global_options, cli, main

accept_global_options(cli)

__all__ = ["cli", "main"]
