// libFuzzer target: sprat_model_init, then (when it accepts the blob)
// sprat_model_verify_weights and sprat_invoke on inputs taken from the data,
// under AddressSanitizer and UBSan. With SPRAT_FUZZ_FIX_CRC the tables' CRC
// is recomputed before init, so the mutations reach the structural checks
// instead of stopping at the checksum (a valid CRC proves nothing about
// intent). Built and run by `sprat fuzz` (sprat/commands/fuzz.py).
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sprat/sprat.h"

#define BLOB_MAX (1u << 20)

static uint8_t blob[BLOB_MAX] __attribute__((aligned(16)));
static uint8_t arena[1u << 20] __attribute__((aligned(16)));

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

#if defined(SPRAT_FUZZ_FIX_CRC)
static uint32_t crc32(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

// The header's CRC field over every byte before the weights section (kind
// 6 in the section table), as converter/blob.py writes it.
static void fix_crc(uint8_t *b, size_t n) {
  if (n < 64) return;
  const uint32_t count = rd32(b + 28), table = rd32(b + 32);
  if (count > 64 || table > n || n - table < 16u * count) return;
  for (uint32_t i = 0; i < count; ++i) {
    const uint8_t *e = b + table + 16u * i;
    if (rd32(e) == 6 && rd32(e + 4) <= n && rd32(e + 4) >= 16) {
      memset(b + 12, 0, 4);
      const uint32_t c = crc32(b, rd32(e + 4));
      memcpy(b + 12, &c, 4);
      return;
    }
  }
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > BLOB_MAX) return 0;
  memcpy(blob, data, size);
#if defined(SPRAT_FUZZ_FIX_CRC)
  fix_crc(blob, size);
#endif
  sprat_model m;
  if (sprat_model_init(&m, blob, size, arena, sizeof arena) != SPRAT_OK) return 0;
  (void)sprat_model_verify_weights(&m);
  for (int i = 0; i < sprat_input_count(&m); ++i) {
    sprat_tensor t;
    if (sprat_input(&m, i, &t) != SPRAT_OK) continue;
    for (size_t k = 0; k < t.bytes; ++k) ((uint8_t *)t.data)[k] = data[(k * 31u) % size];
  }
  (void)sprat_invoke(&m);
  return 0;
}
