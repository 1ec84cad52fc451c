"""The package's one compiled part: the C runtime with the portable kernels
as the shared library `sprat._host`, which sprat.Model.run loads with
ctypes (it is not a Python extension module: nothing imports it). Its
sources and flags are sprat/native.py's, so a checkout compiles the same."""

import importlib.util
import os

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# sprat/native.py by path: importing the package would need its dependencies.
_spec = importlib.util.spec_from_file_location(
    "sprat_native", os.path.join(os.path.dirname(os.path.abspath(__file__)), "sprat", "native.py"))
native = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(native)


class BuildSharedLibrary(build_ext):
    # A plain shared library exports no PyInit_ function.
    def get_export_symbols(self, ext):
        return []


setup(
    ext_modules=[
        Extension(
            "sprat._host",
            sources=native.sources("."),
            include_dirs=native.INCLUDE_DIRS,
            extra_compile_args=[f for f in native.CFLAGS if f != "-fPIC"],
            libraries=["m"],
        )
    ],
    cmdclass={"build_ext": BuildSharedLibrary},
)
