// SPDX-License-Identifier: Apache-2.0
// tinyexec size --target BOARD [--json]: the code size of the runtime and the kernels on a
// board (text, data, bss), from its board runner's link map (the rules of scripts/size.py).
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "board.h"
#include "command.h"
#include "format.h"
#include "link_map.h"

namespace tinyexec::cli {
namespace {

struct SizeOptions {
  std::vector<std::string> targets;
  bool json = false;
};

int run_size(const SizeOptions& options) {
  std::vector<std::pair<std::string, CodeSize>> sizes;
  for (const std::string& target : options.targets) {
    const std::optional<CodeSize> size = code_size_if_built(target);
    if (!size) {
      throw TargetError(fmt::format(
          "{}: {} not found: the {} board is not built (run: cmake --preset {} && cmake --build "
          "--preset {} --target tinyexec_runner, or set TINYEXEC_BUILD_DIR)",
          target, runner_map_path(target).string(), target, target, target));
    }
    sizes.emplace_back(target, *size);
  }
  if (options.json) {
    nlohmann::ordered_json json = nlohmann::ordered_json::array();
    for (const auto& [target, size] : sizes) {
      const auto part = [](const SectionSizes& s) {
        return nlohmann::ordered_json{{"text", s.text}, {"data", s.data}, {"bss", s.bss}};
      };
      json.push_back({{"target", target},
                      {"map", runner_map_path(target).string()},
                      {"runtime", part(size.runtime)},
                      {"kernels", part(size.kernels)},
                      {"total", part(size.total())},
                      {"flash", size.total().flash()}});
    }
    std::cout << json.dump(2) << "\n";
    return kExitOk;
  }
  Table table({"target", "library", "text", "data", "bss", "flash"},
              {false, false, true, true, true, true});
  for (const auto& [target, size] : sizes) {
    const auto row = [&](const char* library, const SectionSizes& s) {
      table.add(
          {target, library, grouped(s.text), grouped(s.data), grouped(s.bss), grouped(s.flash())});
    };
    row("runtime", size.runtime);
    row("kernels", size.kernels);
    row("total", size.total());
  }
  std::cout << table.to_string()
            << "(bytes; flash = text + data; from the board runner's link map: what a program "
               "needs of the runtime and kernels, without startup code or console)\n";
  return kExitOk;
}

}  // namespace

Command add_size(CLI::App& app) {
  auto options = std::make_shared<SizeOptions>();
  CLI::App* sub = app.add_subcommand(
      "size", "Code size of the runtime and the kernels on a board (text, data, bss)");
  sub->add_option("--target", options->targets, "the board(s): " + join(board_targets()))
      ->allow_extra_args(false)
      ->required()
      ->check(CLI::IsMember(board_targets()));
  sub->add_flag("--json", options->json, "print the sizes as JSON");
  return {sub, [options] { return run_size(*options); }};
}

}  // namespace tinyexec::cli
