"""The `sprat COMMAND` modules, one per command (sprat/__main__.py)."""

import os
import sys


def model_argument(argv, command, usage, ok=True):
    """The one MODEL.tflite argument of `sprat COMMAND`, or None after
    printing the usage (wrong arguments, or not `ok`) or the missing file."""
    if len(argv) != 2 or not ok:
        print(f"usage: sprat {command} {usage}", file=sys.stderr)
        return None
    if not os.path.isfile(argv[1]):
        print(f"sprat {command}: {argv[1]}: no such file", file=sys.stderr)
        return None
    return argv[1]
