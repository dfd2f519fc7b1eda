// SPDX-License-Identifier: Apache-2.0
// Console, argv and host file I/O through semihosting (plain stdio on the host).
// Usage: semihosting_test SCRATCH_FILE EXPECTED_ARG
#include <cstdio>
#include <cstring>

#include "check.h"
#include "tinyexec/target/io.h"

int main(int argc, char** argv) {
  TE_EXPECT_EQ(argc, 3);
  if (argc != 3) return 1;
  TE_EXPECT(std::strcmp(argv[2], "second-argument") == 0);

  char data[300];
  for (int i = 0; i < 300; ++i) data[i] = static_cast<char>(i * 7);
  TE_EXPECT(tinyexec::target::write_file(argv[1], data, sizeof data));

  char back[400] = {};
  TE_EXPECT_EQ(tinyexec::target::read_file(argv[1], back, sizeof back), 300);
  TE_EXPECT(std::memcmp(back, data, sizeof data) == 0);
  TE_EXPECT_EQ(tinyexec::target::read_file(argv[1], back, 100), -2);  // too large
  TE_EXPECT_EQ(tinyexec::target::read_file("/nonexistent/tinyexec", back, sizeof back), -1);
  std::printf("semihosting: %d failures\n", tinyexec::test::g_failures);
  return tinyexec::test::g_failures;
}
