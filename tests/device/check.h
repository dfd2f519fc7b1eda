// SPDX-License-Identifier: Apache-2.0
// A minimal check macro for device tests (GoogleTest does not run on the boards): prints the
// failed condition and counts it; main() returns the count, so any failure fails the test.
#pragma once

#include <cstdio>

namespace tinyexec::test {
inline int g_failures = 0;
}

#define TE_EXPECT(cond)                                                           \
  do {                                                                            \
    if (!(cond)) {                                                                \
      std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                 \
      ++::tinyexec::test::g_failures;                                             \
    }                                                                             \
  } while (0)

#define TE_EXPECT_EQ(a, b)                                                        \
  do {                                                                            \
    const long long te_a_ = static_cast<long long>(a);                            \
    const long long te_b_ = static_cast<long long>(b);                            \
    if (te_a_ != te_b_) {                                                         \
      std::printf("FAIL %s:%d: %s == %s (%ld vs %ld)\n", __FILE__, __LINE__, #a, #b, \
                  static_cast<long>(te_a_), static_cast<long>(te_b_));            \
      ++::tinyexec::test::g_failures;                                             \
    }                                                                             \
  } while (0)
