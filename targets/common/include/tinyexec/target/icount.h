// SPDX-License-Identifier: Apache-2.0
// Exact executed-instruction counts of a code region on emulated boards.
//
//   tinyexec::target::InstructionCounter counter;   // calibrates its own overhead
//   counter.start(); work(); uint64_t n = counter.stop();
//
// Under QEMU with tinyexec's TCG plugin (tools/qemu-icount/) the count is exact and identical
// from run to run: the instructions of work() and nothing else. On the host, and on a board run
// without the plugin, available() is false and counts are 0.
#pragma once

#include <cstdint>

namespace tinyexec::target {

// Instructions executed since the program started (0 when counting is unavailable).
uint64_t instructions_executed();

// True when the instruction counter plugin is attached.
bool instruction_count_available();

class InstructionCounter {
 public:
  InstructionCounter();
  // Out of line, so that every start/stop pair costs the same and the constructor can measure
  // that cost once: stop() then returns exactly the instructions executed in between.
  void start();
  uint64_t stop() const;

 private:
  uint64_t begin_ = 0;
  uint64_t overhead_ = 0;
};

}  // namespace tinyexec::target
