// SPDX-License-Identifier: Apache-2.0
// The targets the CLI knows ("host" and the boards of cmake/targets.cmake) and where the board
// builds are: $TINYEXEC_BUILD_DIR/<target>, else the source tree's build/<target> (as
// runner::run_program looks for them).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace tinyexec::cli {

std::vector<std::string> all_targets();               // "host" first, then the boards
std::vector<std::string> board_targets();             // the boards only
std::string qemu_machine(const std::string& target);  // "mps3-an547"; "" for host
std::filesystem::path board_build_dir(const std::string& target);
// "cortex-m55 (QEMU mps3-an547)" or "host (the runtime in this process)".
std::string describe_target(const std::string& target);

}  // namespace tinyexec::cli
