// TFLite_Detection_PostProcess. Inputs: box encodings (uint8 or int8 codes,
// [num_boxes, box_stride]), class scores (float32, or uint8/int8 codes,
// [num_boxes, classes_with_background]), anchors (a float32 constant
// [num_boxes, 4]), the decode table (a constant of 4 x 256 doubles, as
// bytes), the score table (a float32 constant of 2 x 256, absent for float32
// scores); output: TFLite's four outputs packed in one float32 tensor (COPY
// ops split it); scratch for the kernel.
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

static sprat_status check(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_detection_params)) && c->n_in == 5 && c->n_scratch == 1);
  const sprat_detection_params *p = (const sprat_detection_params *)(const void *)c->params;
  const sprat_tview *boxes = &c->in[0], *scores = &c->in[1], *anchors = &c->in[2], *decode = &c->in[3],
                    *score_table = &c->in[4];
  SPRAT_CHECK(p->num_boxes >= 1 && p->box_stride >= 4 && (p->box_is_int8 == 0 || p->box_is_int8 == 1));
  SPRAT_CHECK(p->num_classes >= 1 && p->num_classes <= (1 << 20));
  SPRAT_CHECK(p->classes_with_background == p->num_classes || p->classes_with_background == p->num_classes + 1);
  SPRAT_CHECK(p->max_detections >= 1 && p->max_classes_per_detection >= 1);
  SPRAT_CHECK(p->use_regular_nms == 0 || p->use_regular_nms == 1);
  if (p->use_regular_nms) SPRAT_CHECK(p->detections_per_class >= 1 && p->detections_per_class <= p->max_detections);
  SPRAT_CHECK(p->iou_threshold > 0.0f && p->iou_threshold <= 1.0f);
  SPRAT_CHECK(boxes->present && boxes->type == (p->box_is_int8 ? SPRAT_INT8 : SPRAT_UINT8));
  SPRAT_CHECK(sprat_product4(p->num_boxes, p->box_stride, 1, 1) == boxes->count);
  SPRAT_CHECK(scores->present && sprat_product4(p->num_boxes, p->classes_with_background, 1, 1) == scores->count);
  SPRAT_CHECK(scores->count <= (1u << 30));  // the kernel's flat score indices stay in int32
  switch (p->scores_kind) {
    case SPRAT_DETECTION_SCORES_FLOAT32:
      SPRAT_CHECK(scores->type == SPRAT_FLOAT32 && !score_table->present);
      break;
    case SPRAT_DETECTION_SCORES_UINT8:
    case SPRAT_DETECTION_SCORES_INT8:
      SPRAT_CHECK(p->score_table_split >= 0);
      SPRAT_CHECK(scores->type == (p->scores_kind == SPRAT_DETECTION_SCORES_INT8 ? SPRAT_INT8 : SPRAT_UINT8));
      SPRAT_CHECK(sprat_is_const(score_table, SPRAT_FLOAT32, 512));
      break;
    default: return SPRAT_ERR_BAD_OP;
  }
  SPRAT_CHECK(sprat_product4(p->num_boxes, 4, 1, 1) == anchors->count &&
              sprat_is_const(anchors, SPRAT_FLOAT32, anchors->count));
  SPRAT_CHECK(sprat_is_const(decode, SPRAT_UINT8, 4u * 256u * (uint32_t)sizeof(double)));
  const int64_t slots = sprat_product4(p->max_detections, p->max_classes_per_detection, 1, 1);
  SPRAT_CHECK(slots > 0 && slots < (1 << 26) && c->out[0].type == SPRAT_FLOAT32 && c->out[0].count == slots * 6 + 1);
  // The scratch's size is exact in int64 here (the kernel's own count is
  // int32); the num_boxes * classes product above is a tensor's count.
  const int64_t n = p->num_boxes, per_anchor = p->max_classes_per_detection < p->num_classes
                                                   ? p->max_classes_per_detection : p->num_classes;
  int64_t words = n * 10 + (n < p->max_detections ? n : p->max_detections);
  words += p->use_regular_nms ? 2 * (int64_t)p->max_detections : n * per_anchor + 2 * (int64_t)p->num_classes;
  SPRAT_CHECK(words * 4 <= 0x7FFFFFFF && sprat_detection_postprocess_get_buffer_size(p) == (int32_t)(words * 4));
  SPRAT_CHECK((int64_t)c->scratch[0].bytes >= words * 4);
  return SPRAT_OK;
}

static void run(const sprat_layer *l) {
  sprat_detection_postprocess((const sprat_detection_params *)l->params, l->data[0], l->data[1],
                              (const float *)(const void *)l->data[2], (const uint8_t *)l->data[3],
                              (const float *)(const void *)l->data[4], (float *)(void *)l->data[5], l->data[6]);
}

const sprat_op_registration sprat_op_detection_postprocess = {SPRAT_OP_DETECTION_POSTPROCESS,
                                                              "DETECTION_POSTPROCESS", check, run};
