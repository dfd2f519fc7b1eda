// SPDX-License-Identifier: Apache-2.0
#include "registry.h"

#include <cstdio>
#include <cstring>

namespace tinyexec::golden {
namespace {

// Sorted by name, one line per family; grep finds every runner here.
constexpr FamilyEntry kFamilies[] = {
    {"avgpool_s8", family::avgpool_s8},
    {"batch_matmul_s8", family::batch_matmul_s8},
    {"convolve_1_x_n_s8", family::convolve_1_x_n_s8},
    {"convolve_1x1_s8_fast", family::convolve_1x1_s8_fast},
    {"convolve_s8", family::convolve_s8},
    {"depthwise_conv_3x3_s8", family::depthwise_conv_3x3_s8},
    {"depthwise_conv_s8", family::depthwise_conv_s8},
    {"depthwise_conv_s8_opt", family::depthwise_conv_s8_opt},
    {"elementwise_add_s8", family::elementwise_add_s8},
    {"elementwise_mul_s8", family::elementwise_mul_s8},
    {"fully_connected_s8", family::fully_connected_s8},
    {"grouped_convolve_s8", family::grouped_convolve_s8},
    {"max_pool_s8", family::max_pool_s8},
    {"maximum_minimum_s8", family::maximum_minimum_s8},
    {"pad_s8", family::pad_s8},
    {"softmax_s8", family::softmax_s8},
    {"transpose_conv_s8", family::transpose_conv_s8},
    {"transpose_s8", family::transpose_s8},
};
constexpr int kFamilyCount = static_cast<int>(sizeof kFamilies / sizeof kFamilies[0]);

}  // namespace

int family_count() {
  return kFamilyCount;
}
const FamilyEntry& family_at(int i) {
  return kFamilies[i];
}

const FamilyEntry* find_family(const char* name) {
  for (const FamilyEntry& entry : kFamilies) {
    if (std::strcmp(entry.name, name) == 0) return &entry;
  }
  return nullptr;
}

bool run_case(const GoldenCase& c, Workspace& ws, Report& r) {
  ws.reset();
  const FamilyEntry* entry = find_family(c.family());
  if (entry == nullptr) return r.fail("unknown kernel family '%s'", c.family());
  entry->run(c, ws, r);
  return r.passed();
}

void print_result(const GoldenCase& c, const Report& r) {
  if (r.passed()) {
    std::printf("PASS %s/%s\n", c.family(), c.name());
  } else {
    std::printf("FAIL %s/%s: %s\n", c.family(), c.name(), r.message());
  }
}

void print_load_failure(const char* source, const char* reason) {
  std::printf("FAIL %s: %s\n", source, reason);
}

void print_summary(int passed, int failed) {
  std::printf("%d passed, %d failed\n", passed, failed);
}

}  // namespace tinyexec::golden
