// SPDX-License-Identifier: Apache-2.0
// How the subcommands plug into main: each adds its CLI11 subcommand to the app and returns
// it with the function to run when it is chosen.
// Exit codes: 0 success, 1 model error (message on stderr), 2 usage error.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace tinyexec::cli {

constexpr int kExitOk = 0;
constexpr int kExitModelError = 1;
constexpr int kExitUsage = 2;

struct Command {
  CLI::App* subcommand;
  std::function<int()> run;  // may throw CompileError: main prints it and exits with 1
};

Command add_inspect(CLI::App& app);

}  // namespace tinyexec::cli
