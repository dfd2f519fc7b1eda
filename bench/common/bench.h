// SPDX-License-Identifier: Apache-2.0
// Reporting for device benchmarks: one line per measurement,
//   BENCH {"suite": "...", "name": "...", "instructions": N, "work": W, "unit": "MAC"}
// which scripts/bench.py collects from every target into a table and JSON.
#pragma once

#include <cstdint>
#include <cstdio>

namespace tinyexec::bench {

inline void report(const char* suite, const char* name, uint64_t instructions, uint32_t work,
                   const char* unit) {
  // newlib-nano's printf has no %llu: print the 64-bit count as two halves.
  const uint32_t high = static_cast<uint32_t>(instructions / 1000000000u);
  const uint32_t low = static_cast<uint32_t>(instructions % 1000000000u);
  if (high != 0) {
    std::printf("BENCH {\"suite\": \"%s\", \"name\": \"%s\", \"instructions\": %lu%09lu, ", suite,
                name, static_cast<unsigned long>(high), static_cast<unsigned long>(low));
  } else {
    std::printf("BENCH {\"suite\": \"%s\", \"name\": \"%s\", \"instructions\": %lu, ", suite,
                name, static_cast<unsigned long>(low));
  }
  std::printf("\"work\": %lu, \"unit\": \"%s\"}\n", static_cast<unsigned long>(work), unit);
}

}  // namespace tinyexec::bench
