// SPDX-License-Identifier: Apache-2.0
// tinyexec: the command line tool. `tinyexec <subcommand> --help` describes each; docs/cli.md
// is the reference.
#include <cstdlib>
#include <exception>
#include <iostream>
#include <vector>

#include "command.h"
#include "progress.h"
#include "support/error.h"

int main(int argc, char** argv) {
  using namespace tinyexec::cli;
  CLI::App app{
      "tinyexec: compile neural networks for Arm Cortex-M microcontrollers and run them "
      "on the host or emulated boards"};
  app.set_version_flag("--version", "tinyexec " TE_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // the global options may follow the subcommand
  bool progress = false;
  std::string build_dir;
  app.add_flag("--progress", progress,
               "draw progress bars on stderr even when it is not a terminal");
  app.add_option("--build-dir", build_dir,
                 "where the board builds are (<dir>/<target>/bin/tinyexec_runner.elf); default "
                 "$TINYEXEC_BUILD_DIR, else the source tree's build/");
  app.footer(
      "Exit codes: 0 ok; 1 usage error; 2 model, program or data file error; 3 target or run "
      "failure (board not built, QEMU or the runner failed); 4 validate: below --min-agreement or "
      "--min-accuracy.\nDocs: docs/cli.md, docs/troubleshooting.md.");
  const std::vector<Command> commands = {add_compile(app),  add_run(app),  add_analyze(app),
                                         add_validate(app), add_size(app), add_inspect(app)};

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int status = app.exit(error);  // prints the help, the version or the usage error
    return status == 0 ? kExitOk : kExitUsage;
  }
  force_progress(progress);
  if (!build_dir.empty()) setenv("TINYEXEC_BUILD_DIR", build_dir.c_str(), 1);
  try {
    for (const Command& command : commands) {
      if (command.subcommand->parsed()) return command.run();
    }
  } catch (const UsageError& error) {
    std::cerr << "tinyexec: usage error: " << error.what() << "\nRun with --help for more "
              << "information.\n";
    return kExitUsage;
  } catch (const TargetError& error) {
    std::cerr << "tinyexec: target error: " << error.what() << "\n";
    return kExitTargetError;
  } catch (const std::exception& error) {  // CompileError and I/O errors: the files' fault
    std::cerr << "tinyexec: error: " << error.what() << "\n";
    return kExitModelError;
  }
  return kExitUsage;
}
