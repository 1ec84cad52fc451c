"""sprat: an int8 inference engine for microcontrollers. The Python API
(sprat/api.py): convert a .tflite model, inspect it, run it on this machine
bit-exact with the firmware, save the blob and C array, read the memory
plan, benchmark it on an emulated core; and the `sprat` command line."""

from sprat.api import ConvertError, LayerInfo, Model, TensorInfo, bench, convert, plan  # noqa: F401
