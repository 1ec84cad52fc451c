// Runs many models in one emulator launch: reads "sprat_jobs.txt" from the
// working directory (through semihosting on bare metal), each line
// "BLOB INPUT OUTPUT [STEPS]": loads the blob, fills the inputs from INPUT
// (all inputs' bytes, in order), invokes, writes all outputs' bytes to
// OUTPUT and prints "job K status S op E". With STEPS: that many invokes
// after one init, a stream (state carries over), INPUT holding one set of
// inputs per step, OUTPUT per step its int32 status (SPRAT_WAITING: a
// streaming model's outputs were not updated) and the outputs. The host
// compares OUTPUT with LiteRT.
#include <stdio.h>
#include <string.h>

#include "harness/sprat_harness.h"
#include "sprat/sprat.h"

#if defined(__linux__) || !(defined(__arm__) || defined(__riscv))
#define BLOB_MAX (8u << 20)
#define ARENA_MAX (8u << 20)
#define BLOB_SECTION
#elif defined(__riscv) || defined(__aarch64__)
#define BLOB_MAX (3u << 20)
#define ARENA_MAX (2u << 20)
#define BLOB_SECTION __attribute__((section(".sprat_blob")))
#elif defined(SPRAT_CORE_CORTEX_M55)
#define BLOB_MAX (340u << 10)
#define ARENA_MAX (256u << 10)
#define BLOB_SECTION __attribute__((section(".sprat_blob")))
#elif defined(SPRAT_JOBS_GENERATED)  // the seed board's map, room for generated code
#define BLOB_MAX (720u << 10)
#define ARENA_MAX (200u << 10)  // tests/test_ops_host.JOB_ARENA: the op suite fits it
#define BLOB_SECTION __attribute__((section(".sprat_blob")))
#else  // the seed board's map: 1 MiB flash, 320 KiB RAM
#define BLOB_MAX (860u << 10)
#define ARENA_MAX (200u << 10)  // tests/test_ops_host.JOB_ARENA: the op suite fits it
#define BLOB_SECTION __attribute__((section(".sprat_blob")))
#endif

#ifdef SPRAT_JOBS_GENERATED
// job_codes.c (sprat/jobs.py): job k's generated code, or NULL.
extern const sprat_generated_code *const sprat_job_codes[];
extern const int sprat_job_code_count;
#endif

static uint8_t blob[BLOB_MAX] __attribute__((aligned(16))) BLOB_SECTION;
static uint8_t arena[ARENA_MAX] __attribute__((aligned(16)));
static sprat_model model;

static long read_file(const char *path, uint8_t *dst, size_t cap) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  size_t n = fread(dst, 1, cap, f);
  int more = fgetc(f) != EOF;
  fclose(f);
  return more ? -2 : (long)n;
}

static int run_job(int k, const char *blob_path, const char *in_path, const char *out_path, int steps, int multi) {
  long n = read_file(blob_path, blob, sizeof blob);
  if (n < 0) {
    printf("job %d error cannot read %s (%s)\n", k, blob_path, n == -2 ? "larger than the buffer" : "missing");
    return 1;
  }
#ifdef SPRAT_JOBS_GENERATED
  const sprat_generated_code *code = k < sprat_job_code_count ? sprat_job_codes[k] : NULL;
#else
  const sprat_generated_code *code = NULL;
#endif
  sprat_status s = sprat_model_init_generated(&model, blob, (size_t)n, arena, sizeof arena, code);
  FILE *in = NULL, *out = NULL;
  if (s == SPRAT_OK) {
    in = fopen(in_path, "rb");
    out = fopen(out_path, "wb");
    if (!in || !out) s = SPRAT_ERR_ARGUMENT;
  }
  for (int step = 0; (s == SPRAT_OK || s == SPRAT_WAITING) && step < steps; ++step) {
    s = SPRAT_OK;
    for (int i = 0; i < sprat_input_count(&model); ++i) {
      sprat_tensor t;
      sprat_input(&model, i, &t);
      if (fread(t.data, 1, t.bytes, in) != t.bytes) s = SPRAT_ERR_ARGUMENT;
    }
    if (s == SPRAT_OK) s = sprat_invoke(&model);
    if (multi) {  // a stream: each step's status, then its outputs
      const int32_t st = (int32_t)s;
      fwrite(&st, 1, sizeof st, out);
    }
    for (int i = 0; (s == SPRAT_OK || s == SPRAT_WAITING) && i < sprat_output_count(&model); ++i) {
      sprat_tensor t;
      sprat_output(&model, i, &t);
      fwrite(t.data, 1, t.bytes, out);
    }
  }
  if (in) fclose(in);
  if (out) fclose(out);
  if (s == SPRAT_WAITING) s = SPRAT_OK;  // the stream's last step waited: not a failure
  printf("job %d status %d op %d arena %u\n", k, (int)s, sprat_error_op(&model), (unsigned)sprat_arena_needed(&model));
  return 0;
}

int main(void) {
  FILE *jobs = fopen("sprat_jobs.txt", "r");
  if (!jobs) {
    printf("sprat: no sprat_jobs.txt in the working directory\n");
    return 2;
  }
  char line[512], a[160], b[160], c[160];
  int k = 0, failed = 0;
  while (fgets(line, sizeof line, jobs)) {
    int steps = 1;
    const int got = sscanf(line, "%159s %159s %159s %d", a, b, c, &steps);
    if (got < 3) continue;
    failed += run_job(k++, a, b, c, got == 4 && steps > 0 ? steps : 1, got == 4);
  }
  fclose(jobs);
  printf("sprat: %d jobs\n", k);
  return failed ? 1 : 0;
}
