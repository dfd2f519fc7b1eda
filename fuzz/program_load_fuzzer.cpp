// SPDX-License-Identifier: Apache-2.0
// Fuzzes the runtime with untrusted program bytes: Program::load, then (when it accepts them)
// Executor::init with an arena of the size the program asks for (capped), then execute. Any
// crash, sanitizer report or hang is a bug; error codes are the expected outcome. The runtime
// must never read outside the program bytes or write outside the arena.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "tinyexec/runtime/executor.h"

namespace {

constexpr size_t kMaxArena = 4 * 1024 * 1024;

struct AlignedDelete {
  void operator()(uint8_t* p) const { ::operator delete[](p, std::align_val_t{16}); }
};
using Buffer = std::unique_ptr<uint8_t[], AlignedDelete>;

Buffer aligned_buffer(size_t size) {
  return Buffer(static_cast<uint8_t*>(::operator new[](size == 0 ? 1 : size, std::align_val_t{16})));
}

Buffer aligned_copy(const uint8_t* data, size_t size) {
  Buffer buffer = aligned_buffer(size);
  if (size > 0) std::memcpy(buffer.get(), data, size);
  return buffer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Exactly `size` bytes (ASan sees any read past them) at a 16-byte aligned address.
  const Buffer bytes = aligned_copy(data, size);
  tinyexec::runtime::Program program;
  if (program.load(bytes.get(), size) != tinyexec::runtime::Error::kOk) return 0;
  if (program.arena_bytes() > kMaxArena) return 0;
  const size_t arena_size = program.arena_bytes() == 0 ? 16 : program.arena_bytes();
  const Buffer arena = aligned_buffer((arena_size + 15) / 16 * 16);
  std::memset(arena.get(), 0, arena_size);
  tinyexec::runtime::Executor executor;
  if (executor.init(program, arena.get(), arena_size) != tinyexec::runtime::Error::kOk) return 0;
  executor.execute();
  return 0;
}
