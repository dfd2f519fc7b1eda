// SPDX-License-Identifier: Apache-2.0
// The host has no exact instruction counter (use callgrind for that); counts are 0.
#include "tinyexec/target/icount.h"

namespace tinyexec::target {

bool instruction_count_available() { return false; }
uint64_t instructions_executed() { return 0; }
InstructionCounter::InstructionCounter() = default;
void InstructionCounter::start() { begin_ = instructions_executed(); }
uint64_t InstructionCounter::stop() const { return instructions_executed() - begin_ - overhead_; }

}  // namespace tinyexec::target
