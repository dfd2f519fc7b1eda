// SPDX-License-Identifier: Apache-2.0
// How the subcommands plug into main: each adds its CLI11 subcommand to the app and returns
// it with the function to run when it is chosen (one file per subcommand, *_command.cpp).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <stdexcept>
#include <string>

namespace tinyexec::cli {

// Exit codes (`tinyexec --help`, docs/cli.md).
constexpr int kExitOk = 0;
constexpr int kExitUsage = 1;             // bad command line (CLI11's message, or UsageError)
constexpr int kExitModelError = 2;        // a model, program or data file is wrong (CompileError)
constexpr int kExitTargetError = 3;       // the target could not run the program (TargetError)
constexpr int kExitValidationFailed = 4;  // `validate` measured less than --min-agreement

// A command line the parser accepts but the command cannot use (e.g. a float model without
// --calibrate): exit code 1.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The target failed: its board build is missing, QEMU failed, or the runner reported an error
// for a program the host verified: exit code 3.
class TargetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Command {
  CLI::App* subcommand;
  // May throw: UsageError (1), CompileError and other exceptions (2), TargetError (3).
  std::function<int()> run;
};

Command add_compile(CLI::App& app);
Command add_run(CLI::App& app);
Command add_analyze(CLI::App& app);
Command add_validate(CLI::App& app);
Command add_size(CLI::App& app);
Command add_inspect(CLI::App& app);

}  // namespace tinyexec::cli
