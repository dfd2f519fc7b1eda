// SPDX-License-Identifier: Apache-2.0
// tinyexec: the command line tool. `tinyexec <subcommand> --help` describes each.
#include <exception>
#include <iostream>
#include <vector>

#include "command.h"
#include "support/error.h"

int main(int argc, char** argv) {
  using namespace tinyexec::cli;
  CLI::App app{"tinyexec: compile neural networks for Arm Cortex-M microcontrollers"};
  app.set_version_flag("--version", "tinyexec 0.1.0");
  app.require_subcommand(1);
  const std::vector<Command> commands = {add_inspect(app)};

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int status = app.exit(error);  // prints the help, the version or the usage error
    return status == 0 ? kExitOk : kExitUsage;
  }
  try {
    for (const Command& command : commands) {
      if (command.subcommand->parsed()) return command.run();
    }
  } catch (const std::exception& error) {  // CompileError and I/O errors: the model's fault
    std::cerr << "tinyexec: error: " << error.what() << "\n";
    return kExitModelError;
  }
  return kExitUsage;
}
