// SPDX-License-Identifier: Apache-2.0
#include <cstdint>

#include "startup.h"
#include "tinyexec/target/icount.h"
#include "tinyexec/target/io.h"

namespace tinyexec::target {

namespace {

// The marker instructions that tools/qemu-icount/icount.c watches for (see there).
__attribute__((always_inline)) inline void snapshot_marker() {
  __asm__ volatile(".hword 0x46c9" ::: "memory");  // mov r9, r9
}
__attribute__((always_inline)) inline void resume_marker() {
  __asm__ volatile(".hword 0x46d2" ::: "memory");  // mov r10, r10
}

}  // namespace

bool instruction_count_available() { return g_icount_file != nullptr; }

__attribute__((noinline)) uint64_t instructions_executed() {
  if (g_icount_file == nullptr) return 0;
  snapshot_marker();
  uint8_t bytes[8] = {};
  const bool read = read_file(g_icount_file, bytes, sizeof bytes) == 8;
  resume_marker();
  uint64_t count = 0;
  for (int i = 7; i >= 0; --i) count = (count << 8) | bytes[i];
  return read ? count : 0;
}

InstructionCounter::InstructionCounter() {
  start();
  overhead_ = stop();
}

__attribute__((noinline)) void InstructionCounter::start() { begin_ = instructions_executed(); }

__attribute__((noinline)) uint64_t InstructionCounter::stop() const {
  return instructions_executed() - begin_ - overhead_;
}

}  // namespace tinyexec::target
