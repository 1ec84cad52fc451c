"""Build step of the sprat_model rule (rules/sprat_model.bzl): converts a
.tflite for the kernel library of the platform being built and writes the
model's C sources (sprat/model_sources.py) into Bazel's output tree."""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from converter import codegen, layouts  # noqa: E402
from converter.convert import convert  # noqa: E402
from converter.errors import ConvertError  # noqa: E402
from sprat import model_sources  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--src", required=True)
    ap.add_argument("--target", required=True, help="a target of converter/layouts.py, or 'portable'")
    ap.add_argument("--name", required=True)
    ap.add_argument("--generate", choices=["auto", "no"], default="auto")
    ap.add_argument("--out_dir", required=True)
    a = ap.parse_args()
    target = None if a.target == "portable" else a.target
    library = layouts.for_target(target).NAME
    gen = a.generate == "auto" and codegen.supported(library)
    try:
        r = convert(a.src, target=target, generate=gen)
        files = model_sources.complete(model_sources.model_sources(r, a.name))
    except ConvertError as e:
        print(f"sprat_model: {a.src}: {e}", file=sys.stderr)
        return 1
    os.makedirs(a.out_dir, exist_ok=True)
    for fname, text in files.items():
        with open(os.path.join(a.out_dir, fname), "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
