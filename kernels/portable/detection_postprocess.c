// TFLite_Detection_PostProcess as LiteRT's kernel computes it, in float and
// double with TFLite's operations in TFLite's order (this library is built
// with -ffp-contract=off), and its orders for equal scores: a stable sort for
// the score-sorted candidates, libstdc++'s partial_sort (a heap selection) for
// each anchor's top classes, the first maximum for its best class, stable
// merges of the classes' selections.
#include <string.h>

#include "kernels/portable/portable.h"

typedef struct {
  float ymin, xmin, ymax, xmax;
} box_corners;

// The scratch, in 4-byte words, carved in this order.
typedef struct {
  box_corners *decoded;         // num_boxes
  float *candidate_scores;      // num_boxes: one class's, or each anchor's best
  float *keep_scores;           // num_boxes
  int32_t *keep_indices;        // num_boxes
  int32_t *sorted;              // num_boxes
  int32_t *merge_tmp;           // num_boxes
  int32_t *active;              // num_boxes
  int32_t *selected;            // min(num_boxes, max_detections)
  int32_t *top_classes;         // fast: num_boxes * classes per anchor
  float *row_scores;            // fast: num_classes
  int32_t *class_order;         // fast: num_classes
  int32_t *top_index;           // regular: max_detections
  float *top_score;             // regular: max_detections
} scratch_parts;

static int32_t min32(int32_t a, int32_t b) { return a < b ? a : b; }

static int32_t classes_per_anchor(const sprat_detection_params *p) {
  return min32(p->max_classes_per_detection, p->num_classes);
}

static int64_t scratch_words(const sprat_detection_params *p) {
  const int64_t n = p->num_boxes;
  int64_t words = n * 4 + n * 6 + min32(p->num_boxes, p->max_detections);
  if (p->use_regular_nms) words += 2 * (int64_t)p->max_detections;
  else words += n * classes_per_anchor(p) + 2 * (int64_t)p->num_classes;
  return words;
}

int32_t sprat_portable_detection_postprocess_get_buffer_size(const sprat_detection_params *p) {
  const int64_t bytes = scratch_words(p) * 4;
  return bytes > 0x7FFFFFFF ? -1 : (int32_t)bytes;
}

static scratch_parts carve(const sprat_detection_params *p, void *scratch) {
  scratch_parts s;
  const size_t n = (size_t)p->num_boxes;
  uint32_t *w = (uint32_t *)scratch;
  s.decoded = (box_corners *)(void *)w;
  w += 4 * n;
  s.candidate_scores = (float *)(void *)w;
  w += n;
  s.keep_scores = (float *)(void *)w;
  w += n;
  s.keep_indices = (int32_t *)(void *)w;
  w += n;
  s.sorted = (int32_t *)(void *)w;
  w += n;
  s.merge_tmp = (int32_t *)(void *)w;
  w += n;
  s.active = (int32_t *)(void *)w;
  w += n;
  s.selected = (int32_t *)(void *)w;
  w += (size_t)min32(p->num_boxes, p->max_detections);
  s.top_classes = s.class_order = s.top_index = NULL;
  s.top_score = s.row_scores = NULL;
  if (p->use_regular_nms) {
    s.top_index = (int32_t *)(void *)w;
    w += (size_t)p->max_detections;
    s.top_score = (float *)(void *)w;
  } else {
    s.top_classes = (int32_t *)(void *)w;
    w += n * (size_t)classes_per_anchor(p);
    s.row_scores = (float *)(void *)w;
    w += (size_t)p->num_classes;
    s.class_order = (int32_t *)(void *)w;
  }
  return s;
}

static double table_value(const uint8_t *table, int coordinate, unsigned code) {
  double v;
  memcpy(&v, table + ((size_t)coordinate * 256u + code) * sizeof(double), sizeof v);
  return v;
}

static unsigned code_at(const void *data, int is_int8, size_t i) {
  return is_int8 ? (unsigned)((int32_t)((const int8_t *)data)[i] + 128) : (unsigned)((const uint8_t *)data)[i];
}

static float score_at(const sprat_detection_params *p, const void *scores, const float *table, size_t i) {
  if (p->scores_kind == SPRAT_DETECTION_SCORES_FLOAT32) return ((const float *)scores)[i];
  const float *t = i < (size_t)p->score_table_split ? table : table + 256;
  return t[code_at(scores, p->scores_kind == SPRAT_DETECTION_SCORES_INT8, i)];
}

// The table holds, per code, y / y_scale, x / x_scale (double quotients)
// and 0.5 * exp(h / h_scale), 0.5 * exp(w / w_scale): what TFLite computes
// from the dequantized code before multiplying by the anchor's size.
static void decode(const sprat_detection_params *p, const void *codes, const float *anchors, const uint8_t *table,
                   box_corners *out) {
  for (int32_t i = 0; i < p->num_boxes; ++i) {
    const size_t at = (size_t)i * (size_t)p->box_stride;
    const float *a = anchors + (size_t)i * 4u;  // y, x, h, w
    const double ty = table_value(table, 0, code_at(codes, p->box_is_int8, at));
    const double tx = table_value(table, 1, code_at(codes, p->box_is_int8, at + 1));
    const double th = table_value(table, 2, code_at(codes, p->box_is_int8, at + 2));
    const double tw = table_value(table, 3, code_at(codes, p->box_is_int8, at + 3));
    const float yc = (float)(ty * (double)a[2] + (double)a[0]);
    const float xc = (float)(tx * (double)a[3] + (double)a[1]);
    const float half_h = (float)(th * (double)a[2]);
    const float half_w = (float)(tw * (double)a[3]);
    out[i].ymin = yc - half_h;
    out[i].xmin = xc - half_w;
    out[i].ymax = yc + half_h;
    out[i].xmax = xc + half_w;
  }
}

// std::max<float> and std::min<float>: which operand a NaN comparison keeps.
static float max_f(float a, float b) { return a < b ? b : a; }
static float min_f(float a, float b) { return b < a ? b : a; }

static float iou(const box_corners *bi, const box_corners *bj) {
  const float area_i = (bi->ymax - bi->ymin) * (bi->xmax - bi->xmin);
  const float area_j = (bj->ymax - bj->ymin) * (bj->xmax - bj->xmin);
  if (area_i <= 0 || area_j <= 0) return 0.0f;
  const float ymin = max_f(bi->ymin, bj->ymin), xmin = max_f(bi->xmin, bj->xmin);
  const float ymax = min_f(bi->ymax, bj->ymax), xmax = min_f(bi->xmax, bj->xmax);
  const float inter = max_f(ymax - ymin, 0.0f) * max_f(xmax - xmin, 0.0f);
  return inter / (area_i + area_j - inter);
}

// Indices 0..n-1 sorted by decreasing value, equal values in index order
// (std::stable_sort's result; kept scores are never NaN, so any stable sort
// gives it). Bottom-up merges through tmp.
static void stable_argsort_desc(const float *v, int32_t n, int32_t *idx, int32_t *tmp) {
  for (int32_t i = 0; i < n; ++i) idx[i] = i;
  for (int32_t width = 1; width < n; width *= 2) {
    for (int32_t lo = 0; lo < n - width; lo += 2 * width) {
      const int32_t mid = lo + width, hi = min32(lo + 2 * width, n);
      int32_t a = lo, b = mid, k = 0;
      while (a < mid && b < hi) tmp[k++] = v[idx[b]] > v[idx[a]] ? idx[b++] : idx[a++];
      while (a < mid) tmp[k++] = idx[a++];
      while (b < hi) tmp[k++] = idx[b++];
      memcpy(idx + lo, tmp, (size_t)k * sizeof(int32_t));
    }
  }
}

// libstdc++'s heap (its __adjust_heap and __push_heap), ordered by
// before(a, b) = v[a] > v[b]: the heap's top is the element no other comes
// after, the lowest score. Reproduced step by step because partial_sort's
// order for equal scores is this walk's.
static int before(const float *v, int32_t a, int32_t b) { return v[a] > v[b]; }

static void adjust_heap(const float *v, int32_t *h, int32_t hole, int32_t len, int32_t value) {
  const int32_t top = hole;
  int32_t child = hole;
  while (child < (len - 1) / 2) {
    child = 2 * (child + 1);
    if (before(v, h[child], h[child - 1])) child--;
    h[hole] = h[child];
    hole = child;
  }
  if ((len & 1) == 0 && child == (len - 2) / 2) {
    child = 2 * (child + 1);
    h[hole] = h[child - 1];
    hole = child - 1;
  }
  int32_t parent = (hole - 1) / 2;
  while (hole > top && before(v, h[parent], value)) {
    h[hole] = h[parent];
    hole = parent;
    parent = (hole - 1) / 2;
  }
  h[hole] = value;
}

// std::partial_sort(idx, idx + k, idx + n) of indices 0..n-1 by decreasing
// value: a heap of the first k, each later index that beats its top
// replacing it, then the heap sorted.
static void partial_argsort_desc(const float *v, int32_t n, int32_t k, int32_t *idx) {
  for (int32_t i = 0; i < n; ++i) idx[i] = i;
  if (k >= 2) {
    for (int32_t parent = (k - 2) / 2;; --parent) {
      adjust_heap(v, idx, parent, k, idx[parent]);
      if (parent == 0) break;
    }
  }
  for (int32_t i = k; i < n; ++i) {
    if (before(v, idx[i], idx[0])) {
      const int32_t value = idx[i];
      idx[i] = idx[0];
      adjust_heap(v, idx, 0, k, value);
    }
  }
  for (int32_t last = k - 1; last > 0; --last) {
    const int32_t value = idx[last];
    idx[last] = idx[0];
    adjust_heap(v, idx, 0, last, value);
  }
}

// One class's NMS (TFLite's NonMaxSuppressionSingleClassHelper): the boxes
// at or above the score threshold by decreasing score, each kept unless a
// kept one overlaps it by more than the IoU threshold, at most max_keep.
static int32_t nms_single_class(const sprat_detection_params *p, const float *scores, int32_t max_keep,
                                const scratch_parts *s) {
  int32_t kept = 0;
  for (int32_t i = 0; i < p->num_boxes; ++i) {
    if (scores[i] >= p->score_threshold) {
      s->keep_scores[kept] = scores[i];
      s->keep_indices[kept] = i;
      kept++;
    }
  }
  stable_argsort_desc(s->keep_scores, kept, s->sorted, s->merge_tmp);
  const int32_t limit = min32(kept, max_keep);
  int32_t n_selected = 0, n_active = kept;
  for (int32_t i = 0; i < kept; ++i) s->active[i] = 1;
  for (int32_t i = 0; i < kept; ++i) {
    if (n_active == 0 || n_selected >= limit) break;
    if (!s->active[i]) continue;
    const int32_t box_i = s->keep_indices[s->sorted[i]];
    s->selected[n_selected++] = box_i;
    s->active[i] = 0;
    n_active--;
    for (int32_t j = i + 1; j < kept; ++j) {
      if (s->active[j] && iou(&s->decoded[box_i], &s->decoded[s->keep_indices[s->sorted[j]]]) > p->iou_threshold) {
        s->active[j] = 0;
        n_active--;
      }
    }
  }
  return n_selected;
}

static void put(float *out, int32_t slots, int32_t slot, const box_corners *b, int32_t cls, float score) {
  float *box = out + (size_t)slot * 4u;
  box[0] = b->ymin;
  box[1] = b->xmin;
  box[2] = b->ymax;
  box[3] = b->xmax;
  out[(size_t)slots * 4u + (size_t)slot] = (float)cls;
  out[(size_t)slots * 5u + (size_t)slot] = score;
}

static int32_t regular_nms(const sprat_detection_params *p, const void *scores, const float *table,
                           const scratch_parts *s, float *out, int32_t slots) {
  const int32_t cb = p->classes_with_background, offset = cb - p->num_classes;
  int32_t n_top = 0;
  for (int32_t col = 0; col < p->num_classes; ++col) {
    for (int32_t row = 0; row < p->num_boxes; ++row)
      s->candidate_scores[row] = score_at(p, scores, table, (size_t)row * (size_t)cb + (size_t)(col + offset));
    const int32_t n_sel = nms_single_class(p, s->candidate_scores, p->detections_per_class, s);
    // std::inplace_merge of the list with this class's selection (both by
    // decreasing score): each selected box goes after every listed one of
    // an equal or higher score; what falls past max_detections never returns.
    for (int32_t k = 0; k < n_sel; ++k) {
      const float score = s->candidate_scores[s->selected[k]];
      int32_t at = n_top;
      while (at > 0 && score > s->top_score[at - 1]) at--;
      if (at >= p->max_detections) continue;
      const int32_t end = min32(n_top, p->max_detections - 1);
      for (int32_t m = end; m > at; --m) {
        s->top_score[m] = s->top_score[m - 1];
        s->top_index[m] = s->top_index[m - 1];
      }
      s->top_score[at] = score;
      s->top_index[at] = s->selected[k] * cb + col + offset;
      n_top = min32(n_top + 1, p->max_detections);
    }
  }
  for (int32_t k = 0; k < n_top; ++k) {
    const int32_t anchor = s->top_index[k] / cb;
    put(out, slots, k, &s->decoded[anchor], s->top_index[k] - anchor * cb - offset, s->top_score[k]);
  }
  return n_top;
}

static int32_t fast_nms(const sprat_detection_params *p, const void *scores, const float *table,
                        const scratch_parts *s, float *out, int32_t slots) {
  const int32_t cb = p->classes_with_background, offset = cb - p->num_classes, n_cls = p->num_classes;
  const int32_t per_anchor = classes_per_anchor(p);
  for (int32_t row = 0; row < p->num_boxes; ++row) {
    int32_t *top = s->top_classes + (size_t)row * (size_t)per_anchor;
    const size_t base = (size_t)row * (size_t)cb + (size_t)offset;
    if (per_anchor == 1) {
      // optimized_ops::ArgMaxVector: the first maximum, NaNs passed over
      // (all NaN: the first).
      int32_t best = 0;
      float best_score = score_at(p, scores, table, base);
      for (int32_t c = 1; c < n_cls; ++c) {
        const float v = score_at(p, scores, table, base + (size_t)c);
        if (v == v && (best_score != best_score || v > best_score)) {
          best_score = v;
          best = c;
        }
      }
      if (best_score != best_score) best = 0;
      top[0] = best;
      s->candidate_scores[row] = score_at(p, scores, table, base + (size_t)best);
    } else {
      for (int32_t c = 0; c < n_cls; ++c) s->row_scores[c] = score_at(p, scores, table, base + (size_t)c);
      partial_argsort_desc(s->row_scores, n_cls, per_anchor, s->class_order);
      memcpy(top, s->class_order, (size_t)per_anchor * sizeof(int32_t));
      s->candidate_scores[row] = s->row_scores[top[0]];
    }
  }
  const int32_t n_sel = nms_single_class(p, s->candidate_scores, p->max_detections, s);
  for (int32_t k = 0; k < n_sel; ++k) {
    const int32_t box = s->selected[k];
    const int32_t *top = s->top_classes + (size_t)box * (size_t)per_anchor;
    const size_t base = (size_t)box * (size_t)cb + (size_t)offset;
    // TFLite's slots: max_classes_per_detection per detection, the last
    // ones left (here 0) when it exceeds the classes.
    for (int32_t col = 0; col < per_anchor; ++col)
      put(out, slots, p->max_classes_per_detection * k + col, &s->decoded[box], top[col],
          score_at(p, scores, table, base + (size_t)top[col]));
  }
  return n_sel;
}

void sprat_portable_detection_postprocess(const sprat_detection_params *p, const void *box_codes,
                                          const void *class_scores, const float *anchors,
                                          const uint8_t *decode_table, const float *score_table, float *out,
                                          void *scratch) {
  const int32_t slots = p->max_detections * p->max_classes_per_detection;
  // Slots TFLite leaves unwritten (past the detections) are 0, as its
  // regular NMS pads them.
  memset(out, 0, ((size_t)slots * 6u + 1u) * sizeof(float));
  const scratch_parts s = carve(p, scratch);
  decode(p, box_codes, anchors, decode_table, s.decoded);
  const int32_t n = p->use_regular_nms ? regular_nms(p, class_scores, score_table, &s, out, slots)
                                       : fast_nms(p, class_scores, score_table, &s, out, slots);
  out[(size_t)slots * 6u] = (float)n;
}
