/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * tinyexec's instruction counter: a QEMU TCG plugin that counts every executed guest
 * instruction exactly (one inline add per instruction, so a block left half way through by an
 * exception is still counted right) and lets the guest read the count.
 *
 * The guest asks for the count with two marker instructions that compilers never emit:
 *   mov r9, r9   (0x46c9)  snapshot: the count so far is written to the file out=PATH
 *                          (8 bytes, little endian), where the guest then reads it
 *                          through semihosting;
 *   mov r10, r10 (0x46d2)  resume: the count is set back to the snapshot, so that reading
 *                          the counter costs nothing.
 *
 * Arguments: out=PATH (the count file; without it only the total is kept),
 *            total=on (print the whole run's count to stderr at exit).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = TE_QEMU_PLUGIN_API_VERSION;

enum { kSnapshotMarker = 0x46c9, kResumeMarker = 0x46d2 };

/* The boards tinyexec runs on have one vCPU, so one counter is exact. */
static uint64_t count;
static uint64_t snapshot;
static int out_fd = -1;
static int print_total;

static void on_snapshot(unsigned int vcpu, void* userdata) {
  (void)vcpu;
  (void)userdata;
  snapshot = count;
  if (out_fd >= 0) {
    uint8_t bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = (uint8_t)(snapshot >> (8 * i));
    if (pwrite(out_fd, bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes) {
      fprintf(stderr, "qemu-icount: cannot write the count file\n");
      exit(2);
    }
  }
}

static void on_resume(unsigned int vcpu, void* userdata) {
  (void)vcpu;
  (void)userdata;
  count = snapshot;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb* tb) {
  (void)id;
  const size_t n = qemu_plugin_tb_n_insns(tb);
  for (size_t i = 0; i < n; ++i) {
    struct qemu_plugin_insn* insn = qemu_plugin_tb_get_insn(tb, i);
    qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &count, 1);
    if (qemu_plugin_insn_size(insn) != 2) continue;
    const uint8_t* bytes = (const uint8_t*)qemu_plugin_insn_data(insn);
    const unsigned halfword = (unsigned)bytes[0] | ((unsigned)bytes[1] << 8);
    if (halfword == kSnapshotMarker) {
      qemu_plugin_register_vcpu_insn_exec_cb(insn, on_snapshot, QEMU_PLUGIN_CB_NO_REGS, NULL);
    } else if (halfword == kResumeMarker) {
      qemu_plugin_register_vcpu_insn_exec_cb(insn, on_resume, QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
  }
}

static void on_qemu_exit(qemu_plugin_id_t id, void* userdata) {
  (void)id;
  (void)userdata;
  if (print_total) {
    /* Straight to stderr: qemu_plugin_outs would need "-d plugin" to show. */
    fprintf(stderr, "instructions executed in the whole run: %" PRIu64 "\n", count);
  }
  if (out_fd >= 0) close(out_fd);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* info, int argc,
                                           char** argv) {
  (void)info;
  for (int i = 0; i < argc; ++i) {
    if (strncmp(argv[i], "out=", 4) == 0) {
      out_fd = open(argv[i] + 4, O_RDWR | O_CREAT | O_TRUNC, 0644);
      if (out_fd < 0) {
        fprintf(stderr, "qemu-icount: cannot create %s\n", argv[i] + 4);
        return -1;
      }
    } else if (strcmp(argv[i], "total=on") == 0) {
      print_total = 1;
    } else {
      fprintf(stderr, "qemu-icount: unknown argument '%s' (expected out=PATH, total=on)\n",
              argv[i]);
      return -1;
    }
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
  return 0;
}
