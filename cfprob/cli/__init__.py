"""The ``cfprob`` command line: parse, call the library, print.

Commands are grouped in modules by what they do; importing this package registers them all. PyMC, PyTensor
and ArviZ are imported only by the commands that need them.
"""

from cfprob.cli import answers, cache, checking, listing, pictures, validation  # noqa: F401  (registers the commands)
from cfprob.cli.group import cli, main

__all__ = ["cli", "main"]
