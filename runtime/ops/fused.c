// FUSED_ROWS: a chain of convolutions (and a residual ADD) computed a few
// rows at a time, so that its intermediate tensors only ever exist as
// windows of rows in the op's scratch (runtime/src/fused.h). Each stage
// runs the same row-range kernel its unfused layer would, on a window of
// its source: the results are the unfused graph's, byte for byte.
//
// Rows are pulled from the last stage: to make rows [a, b) of a stage, the
// rows of its source(s) they read are made first; a window drops the rows
// no later read needs (one memmove) when the new ones would not fit. The
// schedule depends only on the record, so init runs it once without the
// kernels ("dry") and refuses a record whose windows would overflow or
// would be asked again for rows already dropped.
//
// Inputs: the block's input, then filter, bias, multipliers and shifts of
// each convolution stage in stage order, then the skip tensor if a stage
// reads it; output: the last stage's; scratch: the windows and the kernels'
// scratch.
#include <string.h>

#include "runtime/src/fused.h"
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

#define N_SLOTS (SPRAT_FUSED_MAX_STAGES + 2)
#define SLOT_INPUT SPRAT_FUSED_MAX_STAGES
#define SLOT_SKIP (SPRAT_FUSED_MAX_STAGES + 1)

typedef struct {
  int8_t *base;
  int32_t lo, hi;  // the rows held: [lo, hi)
  int32_t cap;     // 0: a whole tensor (the block's input, skip or output)
  int32_t h, w, c;
} window;

typedef struct {
  const sprat_fused_params *p;
  void *const *weights;   // the layer's data pointers from the first filter on
  int32_t first_weight[SPRAT_FUSED_MAX_STAGES];
  void *kernel_scratch;
  window win[N_SLOTS];
  int dry, ok;
} run_state;

static int32_t slot_of(int32_t src) {
  return src == SPRAT_FUSED_INPUT ? SLOT_INPUT : src == SPRAT_FUSED_SKIP ? SLOT_SKIP : src;
}

static int is_conv(int32_t kind) { return kind == SPRAT_FUSED_CONV || kind == SPRAT_FUSED_DEPTHWISE; }

static void ensure(run_state *r, int32_t slot, int32_t lo, int32_t hi);

static int holds(const window *w, int32_t lo, int32_t hi) { return w->lo <= lo && hi <= w->hi; }

// Rows [a, b) of stage s, into its window (or the output).
static void compute(run_state *r, int32_t s, int32_t a, int32_t b) {
  const sprat_fused_stage *st = &r->p->stage[s];
  window *w = &r->win[s];
  const int32_t rb = w->w * w->c;
  if (is_conv(st->kind)) {
    const sprat_conv_params *cp = &st->p.conv;
    window *src = &r->win[slot_of(st->src)];
    int32_t lo = a * cp->stride_h - cp->pad_top, hi = (b - 1) * cp->stride_h - cp->pad_top +
                                                      (cp->filter.h - 1) * cp->dilation_h + 1;
    if (lo < 0) lo = 0;
    if (hi > src->h) hi = src->h;
    ensure(r, slot_of(st->src), lo, hi);
    if (!r->ok || !holds(src, lo, hi)) {
      r->ok = 0;
      return;
    }
    if (r->dry) return;
    // The window as a tensor of its own: rows [lo, hi), padding moved so
    // that each output row reads the rows it reads in the whole tensor.
    sprat_conv_params q = *cp;
    q.in.h = hi - lo;
    q.pad_top = cp->pad_top - a * cp->stride_h + lo;
    q.out.h = b - a;
    const int8_t *in = src->base + (lo - src->lo) * src->w * src->c;
    void *const *d = r->weights + r->first_weight[s];
    int8_t *out = w->base + (a - w->lo) * rb;
    if (st->kind == SPRAT_FUSED_CONV)
      sprat_conv2d_s8(&q, in, (const int8_t *)d[0], (const int32_t *)d[1], (const int32_t *)d[2],
                      (const int32_t *)d[3], out, r->kernel_scratch, 0, b - a);
    else
      sprat_depthwise_conv2d_s8(&q, in, (const int8_t *)d[0], (const int32_t *)d[1], (const int32_t *)d[2],
                                (const int32_t *)d[3], out, r->kernel_scratch, 0, b - a);
    return;
  }
  window *s1 = &r->win[slot_of(st->src)], *s2 = &r->win[slot_of(st->src2)];
  ensure(r, slot_of(st->src), a, b);
  if (r->ok) ensure(r, slot_of(st->src2), a, b);
  // The second source's rows may not push the first's out of its window.
  if (!r->ok || !holds(s1, a, b) || !holds(s2, a, b)) {
    r->ok = 0;
    return;
  }
  if (r->dry) return;
  sprat_add_params q = st->p.add;
  q.bc.out_dims[0] = (b - a) * rb;
  sprat_add_s8(&q, s1->base + (a - s1->lo) * rb, s2->base + (a - s2->lo) * rb, w->base + (a - w->lo) * rb);
}

// Makes the slot hold rows [lo, hi).
static void ensure(run_state *r, int32_t slot, int32_t lo, int32_t hi) {
  window *w = &r->win[slot];
  if (lo < w->lo || lo >= hi || hi > w->h) {
    r->ok = 0;  // rows dropped already, or none: a record the dry run refuses
    return;
  }
  if (hi <= w->hi) return;
  if (slot >= SPRAT_FUSED_MAX_STAGES) {  // the block's input or skip: whole, hi == h
    r->ok = 0;
    return;
  }
  int32_t from = w->hi > lo ? w->hi : lo;
  if (w->cap) {
    if (from > w->hi) w->lo = w->hi = from;  // nothing held is read again
    if (hi - w->lo > w->cap) {
      if (hi - lo > w->cap) {
        r->ok = 0;
        return;
      }
      const int32_t rb = w->w * w->c;
      if (!r->dry && w->hi > lo) memmove(w->base, w->base + (lo - w->lo) * rb, (size_t)(w->hi - lo) * rb);
      w->lo = lo;
    }
  }
  compute(r, slot, from, hi);
  w->hi = hi;
}

// The windows' geometry from the record (checked), the schedule's state reset.
static void setup(run_state *r, const sprat_fused_params *p, const sprat_shape4 *in, const sprat_shape4 *skip) {
  memset(r, 0, sizeof *r);
  r->p = p;
  r->ok = 1;
  window *x = &r->win[SLOT_INPUT], *k = &r->win[SLOT_SKIP];
  x->h = x->hi = in->h, x->w = in->w, x->c = in->c;
  if (skip) k->h = k->hi = skip->h, k->w = skip->w, k->c = skip->c;  // else: no rows, never read
  int32_t next = 0;
  for (int32_t s = 0; s < p->n_stages; ++s) {
    const sprat_fused_stage *st = &p->stage[s];
    window *w = &r->win[s];
    w->cap = st->window_rows;
    if (is_conv(st->kind)) {
      w->h = st->p.conv.out.h, w->w = st->p.conv.out.w, w->c = st->p.conv.out.c;
      r->first_weight[s] = next;
      next += 4;
    } else {
      const window *src = &r->win[slot_of(st->src)];
      w->h = src->h, w->w = src->w, w->c = src->c;
    }
  }
}

static void run_schedule(run_state *r) {
  const int32_t last = r->p->n_stages - 1;
  const int32_t h = r->win[last].h, band = r->p->band;
  for (int32_t y = 0; y < h && r->ok; y += band) ensure(r, last, y, h - y > band ? y + band : h);
}

static sprat_tview activation_view(int32_t h, int32_t w, int32_t c) {
  sprat_tview v;
  memset(&v, 0, sizeof v);
  v.present = 1;
  v.type = SPRAT_INT8;
  v.rank = 4;
  v.dims[0] = 1, v.dims[1] = h, v.dims[2] = w, v.dims[3] = c;
  v.count = v.bytes = (uint32_t)h * (uint32_t)w * (uint32_t)c;
  return v;
}

static int regions_apart(int64_t a, int64_t an, int64_t b, int64_t bn) { return a + an <= b || b + bn <= a; }

static sprat_status check_fused(const sprat_op_ctx *c) {
  const sprat_fused_params *p = (const sprat_fused_params *)(const void *)c->params;
  SPRAT_CHECK(c->params_size >= SPRAT_FUSED_RECORD_BYTES(1));
  SPRAT_CHECK(p->n_stages >= 1 && p->n_stages <= SPRAT_FUSED_MAX_STAGES &&
              c->params_size == SPRAT_FUSED_RECORD_BYTES(p->n_stages));
  SPRAT_CHECK(c->n_scratch == 1 && c->n_out == 1);
  const sprat_tview *x = &c->in[0], *out = &c->out[0], *scratch = &c->scratch[0];
  SPRAT_CHECK(x->present && x->type == SPRAT_INT8 && x->rank == 4 && x->dims[0] == 1);
  SPRAT_CHECK(out->type == SPRAT_INT8 && out->rank == 4 && out->dims[0] == 1);
  uint32_t n_conv = 0, uses_skip = 0;
  for (int32_t s = 0; s < p->n_stages; ++s) {
    const sprat_fused_stage *st = &p->stage[s];
    SPRAT_CHECK(is_conv(st->kind) || st->kind == SPRAT_FUSED_ADD);
    // A convolution reads the input or an earlier stage; an ADD may also
    // read the skip tensor.
    const int32_t min_src = st->kind == SPRAT_FUSED_ADD ? SPRAT_FUSED_SKIP : SPRAT_FUSED_INPUT;
    SPRAT_CHECK(st->src >= min_src && st->src < s);
    if (st->kind == SPRAT_FUSED_ADD) {
      SPRAT_CHECK(st->src2 >= SPRAT_FUSED_SKIP && st->src2 < s);
      uses_skip |= st->src == SPRAT_FUSED_SKIP || st->src2 == SPRAT_FUSED_SKIP;
    }
    n_conv += is_conv(st->kind);
  }
  SPRAT_CHECK(c->n_in == 1 + 4 * n_conv + uses_skip);
  const sprat_tview *skip = uses_skip ? &c->in[c->n_in - 1] : NULL;
  if (skip) SPRAT_CHECK(skip->present && skip->type == SPRAT_INT8 && skip->rank == 4 && skip->dims[0] == 1);
  // The record carries the shapes so that the run needs no tensor views.
  SPRAT_CHECK(sprat_shape_is(&p->in, x) && p->band >= 1 && p->band <= (1 << 16));
  if (skip) SPRAT_CHECK(sprat_shape_is(&p->skip, skip));

  // The kernels' scratch and the windows: inside the scratch, apart.
  const int64_t sbytes = scratch->bytes, ko = p->kernel_scratch_offset, kn = p->kernel_scratch_bytes;
  SPRAT_CHECK(ko >= 0 && kn >= 0 && ko % 4 == 0 && ko + kn <= sbytes);
  run_state r;
  setup(&r, p, &p->in, skip ? &p->skip : NULL);
  const int32_t last = p->n_stages - 1;
  for (int32_t s = 0; s < p->n_stages; ++s) {
    const sprat_fused_stage *st = &p->stage[s];
    const window *w = &r.win[s];
    // Each stage through its own op's check, on views of its source and
    // output: the same bounds as the unfused layer's.
    sprat_op_ctx k;
    memset(&k, 0, sizeof k);
    k.model = c->model;
    k.op_index = c->op_index;
    k.n_out = 1;
    const window *src = &r.win[slot_of(st->src)];
    SPRAT_CHECK(src->h >= 1 && src->w >= 1 && src->c >= 1);
    k.in[0] = activation_view(src->h, src->w, src->c);
    if (is_conv(st->kind)) {
      const sprat_conv_params *cp = &st->p.conv;
      SPRAT_CHECK(cp->in.n == 1 && cp->out.n == 1 && cp->out.h >= 1 && cp->out.w >= 1 && cp->out.c >= 1);
      SPRAT_CHECK(sprat_product4(1, cp->out.h, cp->out.w, cp->out.c) > 0);
      k.params = (const uint8_t *)cp;
      k.params_size = sizeof *cp;
      k.n_in = 5;
      for (int i = 0; i < 4; ++i) k.in[1 + i] = c->in[1 + r.first_weight[s] + i];
      k.out[0] = activation_view(cp->out.h, cp->out.w, cp->out.c);
      k.n_scratch = 1;
      k.scratch[0] = activation_view(1, 1, (int32_t)kn > 0 ? (int32_t)kn : 1);
      k.scratch[0].bytes = k.scratch[0].count = (uint32_t)kn;
      const sprat_op_registration *reg =
          sprat_find_op(st->kind == SPRAT_FUSED_CONV ? SPRAT_OP_CONV_2D : SPRAT_OP_DEPTHWISE_CONV_2D);
      SPRAT_CHECK(reg != NULL);
      const sprat_status s1 = reg->check(&k);
      if (s1 != SPRAT_OK) return s1;
      // Every output row's window reaches a row of the input (no row made
      // of padding alone: each call reads at least one row).
      SPRAT_CHECK(cp->pad_top < (cp->filter.h - 1) * cp->dilation_h + 1 &&
                  (int64_t)(cp->out.h - 1) * cp->stride_h - cp->pad_top <= (int64_t)cp->in.h - 1);
    } else {
      const window *s2 = &r.win[slot_of(st->src2)];
      SPRAT_CHECK(s2->h == src->h && s2->w == src->w && s2->c == src->c);
      const sprat_add_params *ap = &st->p.add;
      // One flat run of the whole tensor: compute() sets its length per band.
      SPRAT_CHECK(ap->bc.ndim == 1 && ap->bc.in1_strides[0] == 1 && ap->bc.in2_strides[0] == 1);
      k.params = (const uint8_t *)ap;
      k.params_size = sizeof *ap;
      k.n_in = 2;
      k.in[1] = activation_view(s2->h, s2->w, s2->c);
      k.out[0] = activation_view(src->h, src->w, src->c);
      const sprat_status s1 = sprat_find_op(SPRAT_OP_ADD)->check(&k);
      if (s1 != SPRAT_OK) return s1;
    }
    if (s == last) {
      SPRAT_CHECK(st->window_rows == 0 && sprat_shape4_of(out).h == w->h && sprat_shape4_of(out).w == w->w &&
                  sprat_shape4_of(out).c == w->c && out->count == (uint32_t)w->h * w->w * w->c);
    } else {
      const int64_t bytes = (int64_t)st->window_rows * w->w * w->c, o = st->window_offset;
      SPRAT_CHECK(st->window_rows >= 1 && st->window_rows <= w->h && o >= 0 && o % 4 == 0 && o + bytes <= sbytes);
      SPRAT_CHECK(regions_apart(o, bytes, ko, kn));
      for (int32_t t = 0; t < s; ++t) {
        const sprat_fused_stage *u = &p->stage[t];
        SPRAT_CHECK(regions_apart(o, bytes, u->window_offset, (int64_t)u->window_rows * r.win[t].w * r.win[t].c));
      }
    }
  }
  r.dry = 1;
  run_schedule(&r);
  SPRAT_CHECK(r.ok);
  return SPRAT_OK;
}

static void run_fused(const sprat_layer *l) {
  const sprat_fused_params *p = (const sprat_fused_params *)l->params;
  // data: input, 4 per convolution stage, [skip], output, scratch.
  const uint32_t n = (uint32_t)l->n_data;
  int8_t *scratch = (int8_t *)l->data[n - 1];
  run_state r;
  setup(&r, p, &p->in, &p->skip);
  r.weights = l->data + 1;
  r.kernel_scratch = p->kernel_scratch_bytes ? scratch + p->kernel_scratch_offset : NULL;
  r.win[SLOT_INPUT].base = (int8_t *)l->data[0];
  r.win[SLOT_SKIP].base = (int8_t *)l->data[n - 3];  // read only when a stage reads the skip tensor
  for (int32_t s = 0; s + 1 < p->n_stages; ++s) r.win[s].base = scratch + p->stage[s].window_offset;
  r.win[p->n_stages - 1].base = (int8_t *)l->data[n - 2];
  run_schedule(&r);
}

const sprat_op_registration sprat_op_fused_rows = {SPRAT_OP_FUSED_ROWS, "FUSED_ROWS", check_fused, run_fused};
