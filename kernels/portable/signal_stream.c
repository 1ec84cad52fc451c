// TFLM's Signal ops that carry samples from one invoke to the next:
// framer, stacker, delay and overlap-add. TFLM keeps circular buffers; a
// plain buffer, oldest sample first, gives the same outputs (no op here
// ever holds more than its buffer: the converter refuses what would).
#include <string.h>

#include "kernels/portable/portable.h"

void sprat_portable_signal_framer_s16(const sprat_signal_framer_params *p, const int16_t *in, int16_t *samples,
                                      int32_t *meta, int16_t *out) {
  // Every row fills alike: one count for all.
  const int32_t start = meta[0];
  int32_t filled = start, valid = 1;
  for (int32_t r = 0; r < p->outer; ++r) {
    int16_t *buf = samples + (size_t)r * p->capacity;
    filled = start;
    for (int32_t f = 0; f < p->frames; ++f) {
      const size_t frame = (size_t)r * p->frames + (size_t)f;
      memmove(buf + filled, in + frame * p->frame_step, (size_t)p->frame_step * sizeof(int16_t));
      filled += p->frame_step;
      int16_t *y = out + frame * p->frame_size;
      if (filled >= p->frame_size) {
        memmove(y, buf, (size_t)p->frame_size * sizeof(int16_t));
        filled -= p->frame_step;
        memmove(buf, buf + p->frame_step, (size_t)filled * sizeof(int16_t));
      } else {
        // TFLM leaves an incomplete frame's output as it was: zeros here.
        memset(y, 0, (size_t)p->frame_size * sizeof(int16_t));
        valid = 0;
      }
    }
  }
  meta[0] = filled;
  meta[1] = valid;
}

void sprat_portable_signal_stacker_s16(const sprat_signal_stacker_params *p, const int16_t *in, int16_t *samples,
                                       int32_t *meta, int16_t *out) {
  const size_t nc = (size_t)p->channels;
  int32_t filled = meta[0];
  memmove(samples + filled, in, nc * sizeof(int16_t));
  filled += p->channels;
  if (!meta[1]) {
    // The first frame stands in for the left context it lacks.
    for (int32_t k = 0; k < p->left; ++k) {
      memmove(samples + filled, samples + filled - p->channels, nc * sizeof(int16_t));
      filled += p->channels;
    }
    meta[1] = 1;
  }
  // TFLM leaves its output as it was while the stack is incomplete: the
  // last stack (zeros before the first), kept after the buffer, stands in.
  int16_t *last = samples + p->size;
  if (filled >= p->size) {
    memmove(out, samples, (size_t)p->size * sizeof(int16_t));
    memmove(last, samples, (size_t)p->size * sizeof(int16_t));
    const int32_t drop = p->step * p->channels;
    filled -= drop;
    memmove(samples, samples + drop, (size_t)filled * sizeof(int16_t));
    meta[2] = 1;
  } else {
    memmove(out, last, (size_t)p->size * sizeof(int16_t));
    meta[2] = 0;
  }
  meta[0] = filled;
}

void sprat_portable_signal_delay_s16(const sprat_signal_delay_params *p, const int16_t *in, int16_t *state,
                                     int16_t *out) {
  // Per row: the delay's held samples, then the frame; the first `frame` of
  // them go out, the last `delay` stay.
  const size_t frame = (size_t)p->frame, delay = (size_t)p->delay, e = sizeof(int16_t);
  for (int32_t r = 0; r < p->outer; ++r) {
    const int16_t *x = in + (size_t)r * frame;
    int16_t *y = out + (size_t)r * frame, *held = state + (size_t)r * delay;
    if (delay <= frame) {
      memmove(y + delay, x, (frame - delay) * e);
      memmove(y, held, delay * e);
      memmove(held, x + frame - delay, delay * e);
    } else {
      memmove(y, held, frame * e);
      memmove(held, held + frame, (delay - frame) * e);
      memmove(held + delay - frame, x, frame * e);
    }
  }
}

void sprat_portable_signal_overlap_add_s16(const sprat_signal_overlap_add_params *p, const int16_t *in,
                                           int16_t *state, int16_t *out) {
  const size_t size = (size_t)p->frame_size, step = (size_t)p->frame_step;
  for (int32_t r = 0; r < p->outer; ++r) {
    int16_t *buf = state + (size_t)r * size;
    for (int32_t f = 0; f < p->frames; ++f) {
      const size_t frame = (size_t)r * p->frames + (size_t)f;
      const int16_t *x = in + frame * size;
      for (size_t i = 0; i < size; ++i) {
        const int32_t v = (int32_t)x[i] + buf[i];
        buf[i] = (int16_t)(v < INT16_MIN ? INT16_MIN : (v > INT16_MAX ? INT16_MAX : v));
      }
      memmove(out + frame * step, buf, step * sizeof(int16_t));
      memmove(buf, buf + step, (size - step) * sizeof(int16_t));
      memset(buf + size - step, 0, step * sizeof(int16_t));
    }
  }
}

void sprat_portable_signal_overlap_add_f32(const sprat_signal_overlap_add_params *p, const float *in, float *state,
                                           float *out) {
  const size_t size = (size_t)p->frame_size, step = (size_t)p->frame_step;
  for (int32_t r = 0; r < p->outer; ++r) {
    float *buf = state + (size_t)r * size;
    for (int32_t f = 0; f < p->frames; ++f) {
      const size_t frame = (size_t)r * p->frames + (size_t)f;
      const float *x = in + frame * size;
      for (size_t i = 0; i < size; ++i) buf[i] += x[i];
      memmove(out + frame * step, buf, step * sizeof(float));
      memmove(buf, buf + step, (size - step) * sizeof(float));
      memset(buf + size - step, 0, step * sizeof(float));
    }
  }
}
