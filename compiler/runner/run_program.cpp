// SPDX-License-Identifier: Apache-2.0
#include "runner/run_program.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "support/error.h"
#include "tinyexec/runtime/executor.h"

namespace tinyexec::runner {
namespace {

namespace fs = std::filesystem;

// "cortex-m3:mps2-an385,cortex-m4:..." from cmake/targets.cmake (compile definition).
std::map<std::string, std::string> board_machines() {
  std::map<std::string, std::string> machines;
  std::stringstream table(TE_TARGET_TABLE);
  std::string row;
  while (std::getline(table, row, ',')) {
    const size_t colon = row.find(':');
    if (colon != std::string::npos) machines[row.substr(0, colon)] = row.substr(colon + 1);
  }
  return machines;
}

// Where the board builds are: $TINYEXEC_BUILD_DIR, else the source tree's build/.
fs::path build_root() {
  if (const char* dir = std::getenv("TINYEXEC_BUILD_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return fs::path(TE_SOURCE_ROOT) / "build";
}

// The runtime reads a program in place: a 16-byte aligned copy of the bytes, verified.
struct LoadedProgram {
  std::unique_ptr<uint8_t[]> bytes;
  runtime::Program program;
};

std::unique_ptr<LoadedProgram> load(const std::string& target, std::span<const uint8_t> bytes) {
  auto loaded = std::make_unique<LoadedProgram>();
  const size_t aligned_size = (bytes.size() + 15) / 16 * 16;
  loaded->bytes.reset(new (std::align_val_t{16}) uint8_t[aligned_size]);
  std::memcpy(loaded->bytes.get(), bytes.data(), bytes.size());
  runtime::Program& program = loaded->program;
  if (const runtime::Error error = program.load(loaded->bytes.get(), bytes.size());
      error != runtime::Error::kOk) {
    fail("{}: the program does not load: {} (tensor {}, operator {})", target,
         runtime::error_name(error), program.failed_tensor(), program.failed_operator());
  }
  return loaded;
}

RunResult run_on_host(std::span<const uint8_t> bytes,
                      const std::vector<std::vector<uint8_t>>& inputs) {
  const std::unique_ptr<LoadedProgram> loaded = load("host", bytes);
  const runtime::Program& program = loaded->program;
  const size_t arena_size = std::max<size_t>(16, (program.arena_bytes() + 15) / 16 * 16);
  std::unique_ptr<uint8_t[]> arena(new (std::align_val_t{16}) uint8_t[arena_size]);
  runtime::Executor executor;
  if (const runtime::Error error = executor.init(program, arena.get(), arena_size);
      error != runtime::Error::kOk) {
    fail("host: the program does not initialise: {} at operator {} ({}), kernel status {}",
         runtime::error_name(error), executor.failed_operator(),
         executor.operator_name(executor.failed_operator()),
         static_cast<int>(executor.kernel_status()));
  }
  if (static_cast<int32_t>(inputs.size()) != program.num_inputs()) {
    fail("host: the program has {} inputs, given {}", program.num_inputs(), inputs.size());
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    runtime::TensorRef tensor;
    executor.input(static_cast<int32_t>(i), &tensor);
    if (inputs[i].size() != tensor.bytes) {
      fail("host: input {} needs {} bytes, given {}", i, tensor.bytes, inputs[i].size());
    }
    std::memcpy(tensor.data, inputs[i].data(), tensor.bytes);
  }
  if (const runtime::Error error = executor.execute(); error != runtime::Error::kOk) {
    fail("host: operator {} ({}) failed: {}, kernel status {}", executor.failed_operator(),
         executor.operator_name(executor.failed_operator()), runtime::error_name(error),
         static_cast<int>(executor.kernel_status()));
  }
  RunResult result;
  for (int32_t i = 0; i < program.num_outputs(); ++i) {
    runtime::TensorRef tensor;
    executor.output(i, &tensor);
    const auto* data = static_cast<const uint8_t*>(tensor.data);
    result.outputs.emplace_back(data, data + tensor.bytes);
  }
  return result;
}

void write_bytes(const fs::path& path, std::span<const uint8_t> bytes) {
  std::ofstream file(path, std::ios::binary);
  file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!file) fail("cannot write '{}'", path.string());
}

std::vector<uint8_t> read_bytes(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) fail("cannot read '{}'", path.string());
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// Runs a shell command; returns its exit status and stdout+stderr.
std::pair<int, std::string> run_command(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) fail("cannot start '{}'", command);
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128, output};
}

// A temporary directory removed when it goes out of scope.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "tinyexec-run-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) fail("cannot create a temporary directory");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

RunResult run_on_board(const std::string& target, const std::string& machine,
                       std::span<const uint8_t> program,
                       const std::vector<std::vector<uint8_t>>& inputs, const RunOptions& options) {
  const fs::path board = build_root() / target;
  const fs::path elf = board / "bin" / "tinyexec_runner.elf";
  const fs::path plugin = board / "lib" / "libte_icount.so";
  if (!fs::exists(elf) || !fs::exists(plugin)) {
    fail("{}: the board runner {} is not built (run: cmake --preset {} && cmake --build --preset "
         "{}, or set TINYEXEC_BUILD_DIR)",
         target, elf.string(), target, target);
  }
  TempDir dir;
  write_bytes(dir.path() / "program.tep", program);
  std::string command = fmt::format(
      "'{}' --machine {} --cpu {} --plugin '{}' --timeout {} '{}' '{}'",
      (fs::path(TE_SOURCE_ROOT) / "targets" / "qemu" / "run").string(), machine, target,
      plugin.string(), options.timeout_seconds, elf.string(),
      (dir.path() / "program.tep").string());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const fs::path path = dir.path() / fmt::format("input{}.bin", i);
    write_bytes(path, inputs[i]);
    command += fmt::format(" --input '{}'", path.string());
  }
  // One output file per graph output (the host verifies the program first: a bad program fails
  // here with the runtime's reason rather than on the board).
  const size_t outputs = static_cast<size_t>(load(target, program)->program.num_outputs());
  for (size_t i = 0; i < outputs; ++i) {
    command += fmt::format(" --output '{}'", (dir.path() / fmt::format("output{}.bin", i)).string());
  }
  if (options.profile) command += " --profile";
  auto [status, console] = run_command(command);
  RunResult result;
  result.console = console;
  if (status != 0) {
    fail("{}: the runner exited with status {}:\n{}", target, status, console);
  }
  for (size_t i = 0; i < outputs; ++i) {
    result.outputs.push_back(read_bytes(dir.path() / fmt::format("output{}.bin", i)));
  }
  std::istringstream lines(console);
  std::string line;
  while (std::getline(lines, line)) {
    unsigned long long count = 0;
    char kind[64], name[512];
    if (std::sscanf(line.c_str(), "instructions per inference: %llu", &count) == 1) {
      result.instructions = count;
    } else if (std::sscanf(line.c_str(), "operator %*d %63s %511[^:]: %llu instructions", kind, name,
                           &count) == 3) {
      result.operators.push_back({kind, name, count});
    }
  }
  return result;
}

}  // namespace

std::vector<std::string> known_targets() {
  std::vector<std::string> targets{"host"};
  for (const auto& [target, machine] : board_machines()) targets.push_back(target);
  return targets;
}

RunResult run_program(const std::string& target, std::span<const uint8_t> program,
                      const std::vector<std::vector<uint8_t>>& inputs, const RunOptions& options) {
  if (target == "host") return run_on_host(program, inputs);
  const auto machines = board_machines();
  const auto it = machines.find(target);
  if (it == machines.end()) {
    std::string names;
    for (const std::string& known : known_targets()) names += " " + known;
    fail("unknown target '{}' (known:{})", target, names);
  }
  return run_on_board(target, it->second, program, inputs, options);
}

}  // namespace tinyexec::runner
