"""The converter pipeline: .tflite bytes -> blob + report."""

from dataclasses import dataclass

import numpy as np

from converter import blob as blobfmt
from converter import codegen, fuse, layouts, passes, planner, tflite_reader, views
from converter.errors import ConvertError
from converter.lower import Lowering, tflm_model


@dataclass
class Layer:
    index: int
    name: str
    source: int  # .tflite op index
    output_shape: tuple
    macs: int


@dataclass
class Result:
    blob: bytes
    arena_size: int  # activations + prepared layers, for a 32-bit target
    layers: list
    inputs: list  # graph Tensors
    outputs: list
    graph: object
    weight_bytes: int
    library: str  # the kernel library the weights are laid out for
    activation_bytes: int = 0
    layer_bytes: int = 0  # prepared layers with 4-byte pointers
    layer_bytes64: int = 0
    buffers: list = None  # planner.Buffer per arena buffer: root tensor, size, first/last layer, offset
    ops: list = None  # the lowered ops (lower.SpratOp), as in the blob
    variants: dict = None  # {generated layer: its variant (converter/codegen)}

    @property
    def generated(self):
        """Indices of the layers that run generated code."""
        return frozenset(self.variants or ())

    def generated_sources(self, prefix="model"):
        """{file name: C source} of the generated layers (codegen.TABLE_FILE
        and one file per family), symbols prefixed with `prefix`; the table
        is `<prefix>_code`, for sprat_model_init_generated."""
        if not codegen.supported(self.library):
            raise ConvertError(f"no generated code for the {self.library} kernel library")
        return codegen.generate(self.library, [(prefix, self.ops, self.variants, self.blob)])

    def arena_for(self, pointer_size):
        """Arena bytes on a target with pointers of this size."""
        return self.activation_bytes + (self.layer_bytes64 if pointer_size == 8 else self.layer_bytes)


# The final plan's random search over placement orders: buffers x orders
# (about 0.1 s for MobileNetV2's 120 buffers).
_SEARCH = 4000


def _fit_arena(g, ops, chosen, library):
    """Keeps each variant that needs scratch of its own (a ring of rows,
    say) only where it leaves the arena as small as the library kernels'
    scratch would: a layer off the peak takes it for free, one at the peak
    falls back to the layer's first variant without. Speed never silently
    costs RAM; `sprat tune --grow_arena` lets it."""
    own = {}
    for k, v in chosen.items():
        need = codegen.scratch_bytes(library, ops[k], v)
        if need and need > g.t(ops[k].scratch[0]).nbytes:
            own[k] = need
    if not own:
        return chosen
    _, base, _ = planner.plan(g, ops)
    for k in sorted(own):
        t = g.t(ops[k].scratch[0])
        before = t.shape
        t.shape = (own[k],)
        if planner.plan(g, ops)[1] > base:
            t.shape = before
            chosen[k] = next(v for v in codegen.variants(library, ops[k])
                             if (codegen.scratch_bytes(library, ops[k], v) or 0) <= t.nbytes)
    return chosen


def _unprepare(g, ops, chosen, library, keep=None):
    """Layers whose kernels' constants were prepared offline (they follow
    the bias in flash, SPRAT_CONV_PREPARED) go back to building them in
    scratch wherever that leaves the arena as it is: the constants cost
    flash (MobileNetV2's would add 137 KB) and only pay where their scratch
    is at the peak. Halves of the candidates are tried together, so a model
    needs few plans."""
    cands = [k for k, op in enumerate(ops) if getattr(op, "unprepared", None)]
    if not cands or keep is True:
        return
    _, base, _ = planner.plan(g, ops)

    def swap(k):
        op = ops[k]
        params, bias, scratch = op.unprepared
        bt, st = g.t(op.inputs[2]), g.t(op.scratch[0])
        op.unprepared = (op.params, bt.data, st.nbytes)
        op.params, bt.data, bt.shape = params, bias, bias.shape
        need = codegen.scratch_bytes(library, op, chosen[k]) if k in chosen else None
        st.shape = (max(scratch, need or 0),)

    def try_revert(ks):
        for k in ks:
            swap(k)
        if keep is False or planner.plan(g, ops)[1] <= base:
            for k in ks:
                ops[k].unprepared = None
            return
        for k in ks:
            swap(k)  # back
        if len(ks) > 1:
            try_revert(ks[:len(ks) // 2])
            try_revert(ks[len(ks) // 2:])

    try_revert(cands)


def convert(tflite_bytes_or_path, target=None, reference=False, generate=False, grow_arena=None,
            tightest_overlap=False, optimize="balanced", fuse_band=None, prepared=None, views=None):
    """`target` (a platform name) picks the kernel library whose weight
    layout the blob carries; None or `reference`: the portable kernels'.
    `generate`: True for generated code on every layer the library has a
    template for, a set of op indices (each with its default variant), or
    {op index: variant}; the blob then needs that code
    (Result.generated_sources) at init. `grow_arena`: let variants with
    scratch of their own raise the arena; by default only a variant dict
    does (what `sprat tune --grow_arena` asks for, or a test).
    `tightest_overlap` (for tests): every output the kernels allow to
    overlap its input sits exactly as far into it as they allow.
    `optimize`: "balanced" fuses blocks into FUSED_ROWS (converter/fuse.py)
    where that shrinks the arena by 10% or more, "ram" wherever it shrinks
    it at all, "speed" nowhere; "all" (tests) wherever it can, with
    `fuse_band` rows per step. `prepared` (tests): True keeps every
    layer's offline kernel constants, False none; None where they save RAM.
    `views`: concatenation inputs written in place (converter/views.py)
    where the final plan is no larger for them (None), wherever the
    planner's heuristic keeps them (True), or nowhere (False)."""
    args = (tflite_bytes_or_path, target, reference, generate, grow_arena, tightest_overlap, optimize, fuse_band,
            prepared)
    r = _convert(*args, views is not False)
    if views is None and r.graph.views:
        # The views were chosen on heuristic plans; the final plan searches
        # further, and only a whole second conversion compares like with like.
        alt = _convert(*args, False)
        if alt.arena_size < r.arena_size:
            return alt
    return r


def _convert(tflite_bytes_or_path, target, reference, generate, grow_arena, tightest_overlap, optimize, fuse_band,
             prepared, use_views):
    layout = layouts.for_target(target, reference)
    if generate and not codegen.supported(layout.NAME):
        raise ConvertError(f"--generate: the {layout.NAME} kernel library has no layer templates "
                           f"(generated code exists for: {', '.join(codegen.LIBRARIES)})")
    g = tflite_reader.read(tflite_bytes_or_path)
    g.tflm_oracle = tflm_model(g)  # before the passes fold away what tells
    passes.run_all(g)
    ops = Lowering(g, layout).lower()
    ops = fuse.fuse(g, ops, optimize, fuse_band)
    ops = planner.reorder(g, ops)
    if use_views:
        ops = views.apply(g, ops)
    chosen = {}
    if generate:
        want = None if generate is True else (generate if isinstance(generate, dict) else set(generate))
        chosen = codegen.choose(layout.NAME, ops, want)
        if not (isinstance(generate, dict) if grow_arena is None else grow_arena):
            chosen = _fit_arena(g, ops, chosen, layout.NAME)
    for k, variant in chosen.items():
        ops[k].flags |= blobfmt.OPF_GENERATED
        need = codegen.scratch_bytes(layout.NAME, ops[k], variant)
        if need:  # the variant's scratch, which the runtime checks the blob gives it
            g.t(ops[k].scratch[0]).shape = (max(need, g.t(ops[k].scratch[0]).nbytes),)
    _unprepare(g, ops, chosen, layout.NAME, prepared)
    if fuse_band is None:
        ops = fuse.widen(g, ops)
    for i in g.inputs + g.outputs:
        if g.t(g.buffer_of(i)).variable:
            raise ConvertError("a model input or output is a variable (state) tensor: sprat keeps states inside "
                               "the model (the application writes inputs and reads outputs every invoke)",
                               tensor=g.t(i).name)
    for t in list(g.tensors):  # a state's initial value: a constant of the blob
        if t.variable and t.init is not None and t.init_tensor < 0:
            t.init_tensor = g.add_tensor(t.name + "/initial_value", t.type, t.shape, t.quant,
                                         np.asarray(t.init).reshape(t.shape)).index
    offsets, activations, buffers = planner.plan(g, ops, tightest=tightest_overlap, search=_SEARCH)
    layer_bytes = planner.layer_bytes(ops)
    arena = activations + layer_bytes
    data, _ = blobfmt.write(g, ops, offsets, activations, layer_bytes)
    layers = [Layer(k, op.name, op.source, g.t(op.outputs[0]).shape, op.macs) for k, op in enumerate(ops)]
    weights = sum(g.t(i).nbytes for i in {i for op in ops for i in op.inputs if i >= 0 and g.t(i).is_const})
    return Result(data, arena, layers, [g.t(i) for i in g.inputs], [g.t(i) for i in g.outputs], g, weights,
                  layout.NAME, activations, layer_bytes, planner.layer_bytes(ops, 8), buffers, ops, dict(chosen))
