"""atheris target: the converter on arbitrary bytes must end in a
ConvertError (a message naming the op or tensor) or a blob, never another
exception, a hang or a memory blow-up. Run by `sprat fuzz converter`."""

import os
import sys
import warnings

import atheris

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

with atheris.instrument_imports(include=["converter"]):
    from converter.convert import convert
    from converter.errors import ConvertError

warnings.simplefilter("ignore", RuntimeWarning)  # numpy on extreme scales: the checks decide


def test_one_input(data):
    try:
        convert(data)
    except ConvertError:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
