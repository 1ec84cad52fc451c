"""--optimize, shared by the commands that convert a model."""

from absl import flags

from converter import fuse

flags.DEFINE_enum("optimize", "balanced", list(fuse.OPTIMIZE),
                  "Memory against speed: 'balanced' fuses a block of layers into one computed a few rows at a "
                  "time (FUSED_ROWS) where that shrinks the arena by 10% or more, 'ram' wherever it shrinks it "
                  "at all, 'speed' nowhere (every layer whole, the fastest code).")
