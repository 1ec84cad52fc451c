// The interpreter: validates a blob, lays out the arena, runs the ops in
// order through the op table. It knows no op's semantics.
#include <string.h>

#include "runtime/src/format.h"
#include "runtime/src/op_api.h"
#include "sprat/sprat.h"

#define READY_MAGIC 0x53505254u

// CRC-32 (IEEE 802.3, reflected), four bits at a time: a 64-byte table keeps
// flash small; the init check covers only the tables, the weights' CRC is
// optional (sprat_model_verify_weights).
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, uint32_t n) {
  static const uint32_t nibble[16] = {
      0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
      0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
      0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu};
  crc = ~crc;
  for (uint32_t i = 0; i < n; ++i) {
    crc ^= p[i];
    crc = (crc >> 4) ^ nibble[crc & 15u];
    crc = (crc >> 4) ^ nibble[crc & 15u];
  }
  return ~crc;
}

static const uint32_t kElemSize[10] = {0, 1, 2, 4, 4, 1, 8, 1, 4, 8};

static sprat_status fail(sprat_model *m, sprat_status s, int32_t op, int32_t tensor) {
  m->error_op = op;
  m->error_tensor = tensor;
  m->ready = 0;
  return s;
}

static const uint8_t *tensor_record(const sprat_model *m, uint32_t i) {
  return m->tensors + (size_t)i * TENSOR_RECORD_SIZE;
}

// Fills a view of tensor i; the record was validated at init.
static void view_of(const sprat_model *m, uint32_t i, sprat_tview *v) {
  memset(v, 0, sizeof *v);
  if (i == SPRAT_NO_TENSOR) return;
  const uint8_t *r = tensor_record(m, i);
  v->present = 1;
  v->type = r[T_TYPE];
  v->rank = r[T_RANK];
  v->is_const = r[T_STORAGE] == STORAGE_CONST;
  v->bytes = sprat_rd32(r + T_BYTES);
  v->count = v->bytes / kElemSize[v->type];
  for (int d = 0; d < v->rank; ++d) v->dims[d] = (int32_t)sprat_rd32(r + T_DIMS + 4 * d);
  v->zero_point = (int32_t)sprat_rd32(r + T_ZERO_POINT);
  uint32_t bits = sprat_rd32(r + T_SCALE);
  memcpy(&v->scale, &bits, sizeof v->scale);
  const uint32_t off = sprat_rd32(r + T_OFFSET);
  // At init the arena is not attached yet: arena views have no data then.
  v->data = v->is_const ? (uint8_t *)(uintptr_t)(m->consts + off) : (m->arena ? m->arena + off : NULL);
}

static sprat_status check_tensors(sprat_model *m, uint32_t arena_size) {
  for (uint32_t i = 0; i < m->n_tensors; ++i) {
    const uint8_t *r = tensor_record(m, i);
    const uint8_t type = r[T_TYPE], rank = r[T_RANK], storage = r[T_STORAGE];
    if (type < SPRAT_INT8 || type > SPRAT_UINT64 || rank > SPRAT_MAX_RANK || storage > STORAGE_STATE)
      return fail(m, SPRAT_ERR_MALFORMED, -1, (int32_t)i);
    uint64_t count = 1;
    for (int d = 0; d < rank; ++d) {
      const int32_t dim = (int32_t)sprat_rd32(r + T_DIMS + 4 * d);
      if (dim < 1 || dim > 0x7FFFFFF) return fail(m, SPRAT_ERR_MALFORMED, -1, (int32_t)i);
      count *= (uint64_t)dim;
      if (count > 0x7FFFFFFFu) return fail(m, SPRAT_ERR_MALFORMED, -1, (int32_t)i);
    }
    const uint64_t bytes = count * kElemSize[type];
    const uint32_t off = sprat_rd32(r + T_OFFSET);
    if (bytes != sprat_rd32(r + T_BYTES)) return fail(m, SPRAT_ERR_MALFORMED, -1, (int32_t)i);
    const uint64_t limit = storage == STORAGE_CONST ? m->consts_size : arena_size;
    // Every tensor starts aligned to its element size (int32 biases, floats).
    if ((uint64_t)off + bytes > limit || off % kElemSize[type] != 0)
      return fail(m, SPRAT_ERR_MALFORMED, -1, (int32_t)i);
    // A state's initial value: a constant of its very type and size (checked
    // here, so that sprat_reset_state copies within both).
    const uint16_t init = sprat_rd16(r + T_INIT);
    if (storage == STORAGE_STATE && init != SPRAT_NO_TENSOR) {
      const uint8_t *c = init < m->n_tensors ? tensor_record(m, init) : NULL;
      if (!c || c[T_STORAGE] != STORAGE_CONST || c[T_TYPE] != type || sprat_rd32(c + T_BYTES) != bytes)
        return fail(m, SPRAT_ERR_MALFORMED, -1, (int32_t)i);
    }
  }
  return SPRAT_OK;
}

static sprat_status build_ctx(const sprat_model *m, uint32_t k, sprat_op_ctx *c, int *bad_tensor) {
  const uint8_t *r = m->ops + (size_t)k * OP_RECORD_SIZE;
  memset(c, 0, sizeof *c);
  c->model = m;
  c->op_index = (int32_t)k;
  c->n_in = r[O_N_IN];
  c->n_out = r[O_N_OUT];
  c->n_scratch = r[O_N_SCRATCH];
  const uint32_t io = sprat_rd32(r + O_IO_INDEX);
  const uint32_t poff = sprat_rd32(r + O_PARAMS_OFFSET), psize = sprat_rd32(r + O_PARAMS_SIZE);
  *bad_tensor = -1;
  if (c->n_in > SPRAT_MAX_OP_INPUTS || c->n_out != 1 || c->n_scratch > 1) return SPRAT_ERR_MALFORMED;
  const uint32_t n = c->n_in + c->n_out + c->n_scratch;
  if ((uint64_t)io + n > m->n_op_io) return SPRAT_ERR_MALFORMED;
  if ((uint64_t)poff + psize > m->params_size || poff % 4 != 0) return SPRAT_ERR_MALFORMED;
  c->params = m->params + poff;
  c->params_size = psize;
  for (uint32_t j = 0; j < n; ++j) {
    const uint16_t t = sprat_rd16((const uint8_t *)(m->op_io + io + j));
    const int is_input = j < c->n_in;
    if (t == SPRAT_NO_TENSOR && is_input) continue;  // optional input absent
    if (t >= m->n_tensors) return SPRAT_ERR_MALFORMED;
    // Ops write only to the arena (a state is arena bytes); constants are read-only.
    if (!is_input && tensor_record(m, t)[T_STORAGE] == STORAGE_CONST) {
      *bad_tensor = t;
      return SPRAT_ERR_MALFORMED;
    }
    sprat_tview *v = is_input ? &c->in[j] : (j < c->n_in + c->n_out ? &c->out[j - c->n_in] : &c->scratch[0]);
    view_of(m, t, v);
  }
  return SPRAT_OK;
}

// A generated layer: its code has the constants, the layer only pointers.
static void run_generated(const sprat_layer *l) {
  ((const sprat_generated_layer *)l->params)->run(l->data);
}

// Layer k's generated code, if the blob asks for it and the code fits: the
// same tables and, byte for byte, the parameter record the code was
// compiled for (the op's check has passed on that record).
static sprat_status generated_layer(const sprat_model *m, const sprat_generated_code *code, uint32_t k,
                                    const sprat_op_ctx *c, const sprat_generated_layer **out) {
  *out = NULL;
  const int wanted = (m->ops[(size_t)k * OP_RECORD_SIZE + O_FLAGS] & OPF_GENERATED) != 0;
  if (!code) return wanted ? SPRAT_ERR_GENERATED_CODE : SPRAT_OK;
  const sprat_generated_layer *g = code->layers + k;
  if (!wanted) return g->run ? SPRAT_ERR_GENERATED_CODE : SPRAT_OK;
  if (!g->run || !g->params || g->params_size != c->params_size || memcmp(g->params, c->params, c->params_size) != 0)
    return SPRAT_ERR_GENERATED_CODE;
  // A variant with scratch of its own (a ring of rows, say) trusts the blob's
  // scratch tensor only as far as this check.
  if (g->scratch_bytes && (c->n_scratch != 1 || c->scratch[0].bytes < g->scratch_bytes)) return SPRAT_ERR_GENERATED_CODE;
  *out = g;
  return SPRAT_OK;
}

sprat_status sprat_model_init(sprat_model *m, const void *blob_ptr, size_t blob_size, void *arena,
                              size_t arena_size) {
  return sprat_model_init_generated(m, blob_ptr, blob_size, arena, arena_size, NULL);
}

sprat_status sprat_model_init_generated(sprat_model *m, const void *blob_ptr, size_t blob_size, void *arena,
                                        size_t arena_size, const sprat_generated_code *code) {
  if (!m) return SPRAT_ERR_ARGUMENT;
  memset(m, 0, sizeof *m);
  m->error_op = m->error_tensor = -1;
  const uint8_t *b = (const uint8_t *)blob_ptr;
  // Weights are used in place as int32 and float arrays: 16-byte alignment.
  if (!b || ((uintptr_t)b & 15u) != 0) return SPRAT_ERR_ARGUMENT;
  if (blob_size < SPRAT_HEADER_SIZE) return SPRAT_ERR_TRUNCATED;
  if (memcmp(b, SPRAT_MAGIC, 4) != 0) return SPRAT_ERR_BAD_MAGIC;
  if (sprat_rd16(b + H_VERSION_MAJOR) != SPRAT_FORMAT_MAJOR) return SPRAT_ERR_VERSION;
  const uint32_t total = sprat_rd32(b + H_TOTAL_SIZE);
  if (total > blob_size) return SPRAT_ERR_TRUNCATED;
  if (total < SPRAT_HEADER_SIZE || sprat_rd32(b + H_HEADER_SIZE) != SPRAT_HEADER_SIZE) return SPRAT_ERR_MALFORMED;

  // Sections: each within the blob, each required kind exactly once.
  const uint32_t n_sec = sprat_rd32(b + H_N_SECTIONS), sec_off = sprat_rd32(b + H_SECTION_TABLE);
  if (n_sec > 64 || sec_off < SPRAT_HEADER_SIZE || (uint64_t)sec_off + (uint64_t)n_sec * SECTION_ENTRY_SIZE > total)
    return SPRAT_ERR_MALFORMED;
  uint32_t off[7] = {0}, size[7] = {0}, count[7] = {0}, seen = 0;
  for (uint32_t i = 0; i < n_sec; ++i) {
    const uint8_t *e = b + sec_off + i * SECTION_ENTRY_SIZE;
    const uint32_t kind = sprat_rd32(e), o = sprat_rd32(e + 4), s = sprat_rd32(e + 8), c = sprat_rd32(e + 12);
    if ((uint64_t)o + s > total || o < SPRAT_HEADER_SIZE) return SPRAT_ERR_MALFORMED;
    if (kind < SECTION_TENSORS || kind > SECTION_CONSTS) continue;  // a later minor version's
    if (seen & (1u << kind)) return SPRAT_ERR_MALFORMED;
    if (o % (kind == SECTION_CONSTS ? 16u : 4u) != 0) return SPRAT_ERR_MALFORMED;
    seen |= 1u << kind;
    off[kind] = o;
    size[kind] = s;
    count[kind] = c;
  }
  if (seen != 0x7Eu) return SPRAT_ERR_MALFORMED;
  // The weights come last; the tables' CRC covers everything before them.
  if (off[SECTION_CONSTS] + size[SECTION_CONSTS] != total) return SPRAT_ERR_MALFORMED;
  for (int k = SECTION_TENSORS; k < SECTION_CONSTS; ++k)
    if (off[k] + size[k] > off[SECTION_CONSTS]) return SPRAT_ERR_MALFORMED;
  if (sec_off + n_sec * SECTION_ENTRY_SIZE > off[SECTION_CONSTS]) return SPRAT_ERR_MALFORMED;
  // Everything before the weights, the CRC field itself read as zero.
  static const uint8_t zero4[4] = {0, 0, 0, 0};
  uint32_t crc = crc32_update(0, b, H_TABLES_CRC);
  crc = crc32_update(crc, zero4, 4);
  crc = crc32_update(crc, b + H_TABLES_CRC + 4, off[SECTION_CONSTS] - (H_TABLES_CRC + 4));
  if (crc != sprat_rd32(b + H_TABLES_CRC)) return SPRAT_ERR_CHECKSUM;

  m->blob = b;
  m->blob_size = total;
  m->consts_crc = sprat_rd32(b + H_CONSTS_CRC);
  m->n_tensors = count[SECTION_TENSORS];
  m->n_ops = count[SECTION_OPS];
  m->n_op_io = count[SECTION_OP_IO];
  m->params_size = size[SECTION_PARAMS];
  m->consts_size = size[SECTION_CONSTS];
  if ((uint64_t)m->n_tensors * TENSOR_RECORD_SIZE != size[SECTION_TENSORS] ||
      (uint64_t)m->n_ops * OP_RECORD_SIZE != size[SECTION_OPS] ||
      (uint64_t)m->n_op_io * 2 != size[SECTION_OP_IO] || m->n_tensors > SPRAT_NO_TENSOR)
    return SPRAT_ERR_MALFORMED;
  m->tensors = b + off[SECTION_TENSORS];
  m->ops = b + off[SECTION_OPS];
  m->op_io = (const uint16_t *)(const void *)(b + off[SECTION_OP_IO]);
  m->params = b + off[SECTION_PARAMS];
  m->consts = b + off[SECTION_CONSTS];
  m->io = (const uint16_t *)(const void *)(b + off[SECTION_IO]);
  if (size[SECTION_IO] < 4) return SPRAT_ERR_MALFORMED;
  if (code && (!code->layers || code->n_layers != m->n_ops || code->tables_crc != crc))
    return fail(m, SPRAT_ERR_GENERATED_CODE, -1, -1);
  m->n_inputs = sprat_rd16(b + off[SECTION_IO]);
  m->n_outputs = sprat_rd16(b + off[SECTION_IO] + 2);
  if (4u + 2u * (m->n_inputs + m->n_outputs) > size[SECTION_IO]) return SPRAT_ERR_MALFORMED;

  // The arena: 16-byte aligned inside what the caller gave.
  const uint32_t plan = sprat_rd32(b + H_ARENA_SIZE);
  const uintptr_t a = (uintptr_t)arena;
  const uint32_t pad = (uint32_t)((16u - (a & 15u)) & 15u);
  sprat_status s = check_tensors(m, plan);
  if (s != SPRAT_OK) return s;
  for (uint32_t i = 0; i < m->n_inputs + m->n_outputs; ++i) {
    const uint16_t t = sprat_rd16(b + off[SECTION_IO] + 4 + 2 * i);
    if (t >= m->n_tensors || tensor_record(m, t)[T_STORAGE] != STORAGE_ARENA)
      return fail(m, SPRAT_ERR_MALFORMED, -1, t < m->n_tensors ? t : -1);
  }
  // Every op: known, its tensors in bounds, its own check passed.
  uint64_t layer_bytes = 0;
  for (uint32_t k = 0; k < m->n_ops; ++k) {
    const uint16_t opcode = sprat_rd16(m->ops + (size_t)k * OP_RECORD_SIZE + O_OPCODE);
    const sprat_op_registration *reg = sprat_find_op(opcode);
    if (!reg) return fail(m, SPRAT_ERR_UNSUPPORTED_OP, (int32_t)k, -1);
    sprat_op_ctx ctx;
    int bad = -1;
    if (build_ctx(m, k, &ctx, &bad) != SPRAT_OK) return fail(m, SPRAT_ERR_MALFORMED, (int32_t)k, bad);
    s = reg->check(&ctx);
    if (s != SPRAT_OK) return fail(m, s == SPRAT_ERR_LAYOUT ? s : SPRAT_ERR_BAD_OP, (int32_t)k, -1);
    const uint8_t *rec = m->ops + (size_t)k * OP_RECORD_SIZE;
    if (rec[O_FLAGS] & OPF_MAY_STOP) {
      // Its stop word: input 0, an int32 state of 3 (the op's check knows the rest).
      const uint16_t t0 = ctx.n_in ? sprat_rd16((const uint8_t *)(m->op_io + sprat_rd32(rec + O_IO_INDEX))) : SPRAT_NO_TENSOR;
      if (t0 == SPRAT_NO_TENSOR || tensor_record(m, t0)[T_STORAGE] != STORAGE_STATE || ctx.in[0].type != SPRAT_INT32 ||
          ctx.in[0].count != 3)
        return fail(m, SPRAT_ERR_BAD_OP, (int32_t)k, -1);
      m->may_stop = 1;
    }
    const sprat_generated_layer *g;
    if (generated_layer(m, code, k, &ctx, &g) != SPRAT_OK) return fail(m, SPRAT_ERR_GENERATED_CODE, (int32_t)k, -1);
    layer_bytes += SPRAT_LAYER_BYTES(ctx.n_in + ctx.n_out + ctx.n_scratch);
  }
  // The prepared layers follow the activations (the plan is 16-byte aligned).
  m->plan_size = (plan + 15u) & ~15u;
  if (m->plan_size < plan || (uint64_t)m->plan_size + layer_bytes + pad > 0xFFFFFFFFu)
    return fail(m, SPRAT_ERR_MALFORMED, -1, -1);
  m->arena_needed = (uint32_t)(m->plan_size + layer_bytes + pad);
  if (!arena && m->arena_needed > pad) return fail(m, SPRAT_ERR_ARGUMENT, -1, -1);
  if (arena_size < m->arena_needed) return fail(m, SPRAT_ERR_ARENA_TOO_SMALL, -1, -1);
  m->arena = (uint8_t *)arena + pad;
  m->layers = (sprat_layer *)(void *)(m->arena + m->plan_size);
  sprat_layer *l = m->layers;
  for (uint32_t k = 0; k < m->n_ops; ++k) {
    const uint16_t opcode = sprat_rd16(m->ops + (size_t)k * OP_RECORD_SIZE + O_OPCODE);
    sprat_op_ctx ctx;
    int bad;
    build_ctx(m, k, &ctx, &bad);  // checked above, now with the arena attached
    // The first pass checked it: a flagged layer has its code.
    const sprat_generated_layer *g =
        (m->ops[(size_t)k * OP_RECORD_SIZE + O_FLAGS] & OPF_GENERATED) ? code->layers + k : NULL;
    l->run = g ? run_generated : sprat_find_op(opcode)->run;
    l->params = g ? (const void *)g : ctx.params;
    l->n_data = ctx.n_in + ctx.n_out + ctx.n_scratch;
    uint32_t j = 0;
    for (uint32_t i = 0; i < ctx.n_in; ++i) l->data[j++] = ctx.in[i].data;
    for (uint32_t i = 0; i < ctx.n_out; ++i) l->data[j++] = ctx.out[i].data;
    for (uint32_t i = 0; i < ctx.n_scratch; ++i) l->data[j++] = ctx.scratch[i].data;
    l = (sprat_layer *)(void *)(l->data + l->n_data);
  }
  m->ready = READY_MAGIC;
  return sprat_reset_state(m);
}

sprat_status sprat_reset_state(sprat_model *m) {
  if (!m || m->ready != READY_MAGIC) return SPRAT_ERR_NOT_READY;
  for (uint32_t i = 0; i < m->n_tensors; ++i) {
    const uint8_t *r = tensor_record(m, i);
    if (r[T_STORAGE] != STORAGE_STATE) continue;
    sprat_tview v;
    view_of(m, i, &v);
    const uint16_t init = sprat_rd16(r + T_INIT);
    if (init != SPRAT_NO_TENSOR) {
      sprat_tview c;
      view_of(m, init, &c);
      memcpy(v.data, c.data, v.bytes);  // a constant never overlaps the arena
    } else {
      // TFLite's ResetVariableTensor: an int8 state holds its zero point, any other 0.
      memset(v.data, v.type == SPRAT_INT8 ? (int)((uint32_t)v.zero_point & 0xFFu) : 0, v.bytes);
    }
  }
  return SPRAT_OK;
}

sprat_status sprat_model_verify_weights(const sprat_model *m) {
  if (!m || m->ready != READY_MAGIC) return SPRAT_ERR_NOT_READY;
  return crc32_update(0, m->consts, m->consts_size) == m->consts_crc ? SPRAT_OK : SPRAT_ERR_CHECKSUM;
}

// A layer that may stop the invoke (OPF_MAY_STOP) has asked to.
static int stops(const sprat_model *m, uint32_t k, const sprat_layer *l) {
  return (m->ops[(size_t)k * OP_RECORD_SIZE + O_FLAGS] & OPF_MAY_STOP) && ((const int32_t *)l->data[0])[2] != 0;
}

// Separate loops so that a model without a callback or a layer that may
// stop pays nothing for them.
sprat_status sprat_invoke(sprat_model *m) {
  if (!m || m->ready != READY_MAGIC) return SPRAT_ERR_NOT_READY;
  const sprat_layer *l = m->layers;
  const uint32_t n = m->n_ops;
  const sprat_layer_callback cb = m->layer_callback;
  if (cb || m->may_stop) {
    void *user = m->layer_callback_user;
    for (uint32_t k = 0; k < n; ++k) {
      if (cb) cb(user, (int)k, 1);
      l->run(l);
      if (cb) cb(user, (int)k, 0);
      if (m->may_stop && stops(m, k, l)) return SPRAT_WAITING;
      l = (const sprat_layer *)(const void *)(l->data + l->n_data);
    }
    return SPRAT_OK;
  }
  for (uint32_t k = n; k != 0; --k) {
    l->run(l);
    l = (const sprat_layer *)(const void *)(l->data + l->n_data);
  }
  return SPRAT_OK;
}

sprat_status sprat_set_layer_callback(sprat_model *m, sprat_layer_callback callback, void *user) {
  if (!m) return SPRAT_ERR_ARGUMENT;
  m->layer_callback = callback;
  m->layer_callback_user = user;
  return SPRAT_OK;
}

const char *sprat_kernel_library_name(void) { return sprat_kernel_library(); }

size_t sprat_arena_needed(const sprat_model *m) { return m ? m->arena_needed : 0; }
int sprat_input_count(const sprat_model *m) { return m && m->ready == READY_MAGIC ? (int)m->n_inputs : 0; }
int sprat_output_count(const sprat_model *m) { return m && m->ready == READY_MAGIC ? (int)m->n_outputs : 0; }
int sprat_error_op(const sprat_model *m) { return m ? m->error_op : -1; }
int sprat_error_tensor(const sprat_model *m) { return m ? m->error_tensor : -1; }

static sprat_status io_tensor(const sprat_model *m, uint32_t slot, sprat_tensor *t) {
  const uint16_t idx = sprat_rd16((const uint8_t *)(m->io + 2 + slot));
  sprat_tview v;
  view_of(m, idx, &v);
  t->data = v.data;
  t->bytes = v.bytes;
  t->type = (sprat_type)v.type;
  t->rank = v.rank;
  for (int d = 0; d < SPRAT_MAX_RANK; ++d) t->dims[d] = d < v.rank ? v.dims[d] : 0;
  t->scale = v.scale;
  t->zero_point = v.zero_point;
  return SPRAT_OK;
}

sprat_status sprat_input(const sprat_model *m, int i, sprat_tensor *t) {
  if (!m || m->ready != READY_MAGIC) return SPRAT_ERR_NOT_READY;
  if (!t || i < 0 || (uint32_t)i >= m->n_inputs) return SPRAT_ERR_ARGUMENT;
  return io_tensor(m, (uint32_t)i, t);
}

sprat_status sprat_output(const sprat_model *m, int i, sprat_tensor *t) {
  if (!m || m->ready != READY_MAGIC) return SPRAT_ERR_NOT_READY;
  if (!t || i < 0 || (uint32_t)i >= m->n_outputs) return SPRAT_ERR_ARGUMENT;
  return io_tensor(m, m->n_inputs + (uint32_t)i, t);
}

const char *sprat_op_name(const sprat_model *m, int k) {
  if (!m || !m->ops || k < 0 || (uint32_t)k >= m->n_ops) return "?";
  const sprat_op_registration *reg = sprat_find_op(sprat_rd16(m->ops + (size_t)k * OP_RECORD_SIZE));
  return reg ? reg->name : "unknown op";
}

const char *sprat_status_str(sprat_status s) {
  switch (s) {
    case SPRAT_OK: return "ok";
    case SPRAT_ERR_ARGUMENT: return "invalid argument (NULL pointer or index out of range)";
    case SPRAT_ERR_BAD_MAGIC: return "not a sprat model (bad magic)";
    case SPRAT_ERR_VERSION: return "model made for another format version";
    case SPRAT_ERR_TRUNCATED: return "model truncated";
    case SPRAT_ERR_CHECKSUM: return "model corrupted (CRC-32 mismatch)";
    case SPRAT_ERR_MALFORMED: return "model malformed (offset, size or index out of bounds)";
    case SPRAT_ERR_UNSUPPORTED_OP: return "op not supported by this runtime";
    case SPRAT_ERR_BAD_OP: return "op's tensors or parameters are inconsistent";
    case SPRAT_ERR_ARENA_TOO_SMALL: return "arena too small";
    case SPRAT_ERR_NOT_READY: return "model not initialised";
    case SPRAT_ERR_LAYOUT:
      return "model's weights are laid out for another kernel library (convert it with --target for this build)";
    case SPRAT_WAITING:
      return "waiting: a CIRCULAR_BUFFER layer collects more frames before the rest of the model runs (not an error)";
    case SPRAT_ERR_GENERATED_CODE:
      return "model's generated code is missing or belongs to another model (link the code converted with this blob)";
  }
  return "unknown status";
}
