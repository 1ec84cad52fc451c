// QEMU TCG plugin: exact count of executed guest instructions, reported at
// each entry of a marker function.
//
//   -plugin libinsn_count.so,mark=0xADDR,out=FILE
//
// At every execution of the translation block that starts at `mark` it
// appends the number of instructions executed so far (that block excluded)
// to FILE, one decimal number a line, flushed at once so nothing is lost
// when the guest exits through semihosting.
//
// QEMU's Debian package ships no qemu-plugin.h, so the few declarations
// used are written out here from the plugin API's documentation (version 7,
// QEMU 11: the translation callback receives the registration's userdata).
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_info;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS = 0 };

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                           void (*cb)(struct qemu_plugin_tb *tb, void *userdata),
                                           void *userdata);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
                                          void (*cb)(unsigned int vcpu, void *userdata),
                                          enum qemu_plugin_cb_flags flags, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);

#define EXPORT __attribute__((visibility("default")))

EXPORT int qemu_plugin_version = 7;

static uint64_t mark_addr;
static FILE *out;
static uint64_t executed;  // the guest is single-core here

// The block's instruction count and whether it starts at the marker are
// packed into the callback's userdata, so the hot path needs no lookup.
static void on_exec(unsigned int vcpu, void *userdata) {
  (void)vcpu;
  uintptr_t packed = (uintptr_t)userdata;
  if (packed & 1u) {
    fprintf(out, "%llu\n", (unsigned long long)executed);
    fflush(out);
  }
  executed += packed >> 1;
}

static void on_translate(struct qemu_plugin_tb *tb, void *userdata) {
  (void)userdata;
  uintptr_t n = qemu_plugin_tb_n_insns(tb);
  uintptr_t is_mark = qemu_plugin_tb_vaddr(tb) == mark_addr;
  qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec, QEMU_PLUGIN_CB_NO_REGS,
                                       (void *)((n << 1) | is_mark));
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info *info, int argc,
                               char **argv) {
  (void)info;
  const char *path = NULL;
  bool have_mark = false;
  for (int i = 0; i < argc; ++i) {
    if (strncmp(argv[i], "mark=", 5) == 0) {
      mark_addr = strtoull(argv[i] + 5, NULL, 0);
      have_mark = true;
    } else if (strncmp(argv[i], "out=", 4) == 0) {
      path = argv[i] + 4;
    } else {
      fprintf(stderr, "insn_count plugin: unknown argument '%s' (want mark=ADDR,out=FILE)\n", argv[i]);
      return -1;
    }
  }
  if (!have_mark || !path) {
    fprintf(stderr, "insn_count plugin: needs mark=ADDR and out=FILE\n");
    return -1;
  }
  out = fopen(path, "w");
  if (!out) {
    perror(path);
    return -1;
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate, NULL);
  return 0;
}
