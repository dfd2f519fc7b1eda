// SPDX-License-Identifier: Apache-2.0
#include "board.h"

#include <cstdlib>
#include <sstream>

#include "runner/run_program.h"

namespace tinyexec::cli {

std::vector<std::string> all_targets() {
  return runner::known_targets();
}

std::vector<std::string> board_targets() {
  std::vector<std::string> boards;
  for (const std::string& target : all_targets()) {
    if (target != "host") boards.push_back(target);
  }
  return boards;
}

std::string qemu_machine(const std::string& target) {
  // "cortex-m3:mps2-an385,..." (cmake/targets.cmake, a compile definition of the compiler).
  std::stringstream table(TE_TARGET_TABLE);
  std::string row;
  while (std::getline(table, row, ',')) {
    if (row.starts_with(target + ":")) return row.substr(target.size() + 1);
  }
  return "";
}

std::filesystem::path board_build_dir(const std::string& target) {
  if (const char* dir = std::getenv("TINYEXEC_BUILD_DIR"); dir != nullptr && *dir != '\0') {
    return std::filesystem::path(dir) / target;
  }
  return std::filesystem::path(TE_SOURCE_ROOT) / "build" / target;
}

std::string describe_target(const std::string& target) {
  if (target == "host") return "host (the runtime in this process)";
  return target + " (QEMU " + qemu_machine(target) + ")";
}

}  // namespace tinyexec::cli
