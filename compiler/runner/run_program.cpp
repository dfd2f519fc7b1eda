// SPDX-License-Identifier: Apache-2.0
#include "runner/run_program.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "support/error.h"
#include "tinyexec/program/program_generated.h"
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

// 16-byte aligned buffers (the runtime's alignment) are freed with the matching aligned delete.
struct AlignedDelete {
  void operator()(uint8_t* bytes) const { ::operator delete[](bytes, std::align_val_t{16}); }
};
using AlignedBytes = std::unique_ptr<uint8_t[], AlignedDelete>;

// The runtime reads a program in place: a 16-byte aligned copy of the bytes, verified.
struct LoadedProgram {
  AlignedBytes bytes;
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

// --hash-layers on the host: the same lines the board runner prints.
void hash_operator_output(void* context, int32_t index) {
  auto* state = static_cast<std::pair<const runtime::Executor*, std::string*>*>(context);
  runtime::TensorRef tensor;
  if (state->first->operator_output(index, &tensor) != runtime::Error::kOk) return;
  uint32_t hash = 2166136261u;
  const auto* bytes = static_cast<const uint8_t*>(tensor.data);
  for (size_t i = 0; i < tensor.bytes; ++i) hash = (hash ^ bytes[i]) * 16777619u;
  *state->second += fmt::format("layer {} fnv1a 0x{:08x}\n", index, hash);
}

RunResult run_on_host(std::span<const uint8_t> bytes,
                      const std::vector<std::vector<uint8_t>>& inputs, bool hash_layers = false) {
  const std::unique_ptr<LoadedProgram> loaded = load("host", bytes);
  const runtime::Program& program = loaded->program;
  const size_t arena_size = std::max<size_t>(16, (program.arena_bytes() + 15) / 16 * 16);
  AlignedBytes arena(new (std::align_val_t{16}) uint8_t[arena_size]);
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
  RunResult result;
  // --hash-layers hashes during the run itself (a second run could see an input whose bytes the
  // arena reused).
  std::pair<const runtime::Executor*, std::string*> state{&executor, &result.console};
  const runtime::OperatorHook hook{nullptr, hash_operator_output, &state};
  if (const runtime::Error error = executor.execute(hash_layers ? &hook : nullptr);
      error != runtime::Error::kOk) {
    fail("host: operator {} ({}) failed: {}, kernel status {}", executor.failed_operator(),
         executor.operator_name(executor.failed_operator()), runtime::error_name(error),
         static_cast<int>(executor.kernel_status()));
  }
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

// One boot of the board for `count` samples starting at `first` (count 1: the runner's plain
// form; more: its --count batch form, inputs and outputs back to back per file).
std::vector<RunResult> run_on_board(const std::string& target, const std::string& machine,
                                    std::span<const uint8_t> program, size_t outputs,
                                    const std::vector<RawSample>& samples, size_t first,
                                    size_t count, const RunOptions& options, bool profile) {
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
  const size_t num_inputs = samples[first].size();
  for (size_t i = 0; i < num_inputs; ++i) {
    std::vector<uint8_t> bytes;
    for (size_t s = first; s < first + count; ++s) {
      if (samples[s].size() != num_inputs) {
        fail("{}: sample {} has {} inputs, sample {} has {}", target, s, samples[s].size(), first,
             num_inputs);
      }
      bytes.insert(bytes.end(), samples[s][i].begin(), samples[s][i].end());
    }
    const fs::path path = dir.path() / fmt::format("input{}.bin", i);
    write_bytes(path, bytes);
    command += fmt::format(" --input '{}'", path.string());
  }
  for (size_t i = 0; i < outputs; ++i) {
    command += fmt::format(" --output '{}'", (dir.path() / fmt::format("output{}.bin", i)).string());
  }
  if (count > 1) command += fmt::format(" --count {}", count);
  if (profile) command += " --profile";
  if (options.hash_layers) command += " --hash-layers";
  auto [status, console] = run_command(command);
  if (status != 0) {
    fail("{}: the runner exited with status {}{}:\n{}", target, status,
         count > 1 ? fmt::format(" (samples {} to {})", first, first + count - 1) : "", console);
  }
  std::vector<RunResult> results(count);
  results[0].console = console;
  for (size_t i = 0; i < outputs; ++i) {
    const std::vector<uint8_t> bytes = read_bytes(dir.path() / fmt::format("output{}.bin", i));
    if (bytes.size() % count != 0) {
      fail("{}: output {} has {} bytes for {} samples", target, i, bytes.size(), count);
    }
    const size_t each = bytes.size() / count;
    for (size_t s = 0; s < count; ++s) {
      const auto begin = bytes.begin() + static_cast<std::ptrdiff_t>(s * each);
      results[s].outputs.emplace_back(begin, begin + static_cast<std::ptrdiff_t>(each));
    }
  }
  std::istringstream lines(console);
  std::string line;
  size_t inference = 0;
  while (std::getline(lines, line)) {
    unsigned long long value = 0;
    char kind[64], name[512];
    if (std::sscanf(line.c_str(), "instructions per inference: %llu", &value) == 1) {
      if (inference < count) results[inference++].instructions = value;
    } else if (std::sscanf(line.c_str(), "operator %*d %63s %511[^:]: %llu instructions", kind,
                           name, &value) == 3) {
      results[0].operators.push_back({kind, name, value});
    }
  }
  return results;
}

// Bytes of the program's graph inputs and outputs (sum over each list).
std::pair<size_t, size_t> interface_bytes(const runtime::Program& loaded) {
  const program::Program& fb = loaded.flatbuffer();
  const auto bytes_of = [&](int32_t index) {
    const program::Tensor* tensor = fb.tensors()->Get(static_cast<uint32_t>(index));
    size_t bytes = tensor->dtype() == program::DType::Int8 ? 1 : 4;
    if (tensor->shape() != nullptr) {
      for (int32_t d : *tensor->shape()) bytes *= static_cast<size_t>(d);
    }
    return bytes;
  };
  size_t in = 0, out = 0;
  if (fb.inputs() != nullptr) {
    for (int32_t index : *fb.inputs()) in += bytes_of(index);
  }
  if (fb.outputs() != nullptr) {
    for (int32_t index : *fb.outputs()) out += bytes_of(index);
  }
  return {in, out};
}

std::string board_machine(const std::string& target) {
  const auto machines = board_machines();
  const auto it = machines.find(target);
  if (it == machines.end()) {
    std::string names;
    for (const std::string& known : known_targets()) names += " " + known;
    fail("unknown target '{}' (known:{})", target, names);
  }
  return it->second;
}

}  // namespace

std::vector<std::string> known_targets() {
  std::vector<std::string> targets{"host"};
  for (const auto& [target, machine] : board_machines()) targets.push_back(target);
  return targets;
}

RunResult run_program(const std::string& target, std::span<const uint8_t> program,
                      const std::vector<std::vector<uint8_t>>& inputs, const RunOptions& options) {
  if (target == "host") return run_on_host(program, inputs, options.hash_layers);
  const std::string machine = board_machine(target);
  // One output file per graph output (the host verifies the program first: a bad program fails
  // here with the runtime's reason rather than on the board).
  const size_t outputs = static_cast<size_t>(load(target, program)->program.num_outputs());
  return std::move(
      run_on_board(target, machine, program, outputs, {inputs}, 0, 1, options, options.profile)[0]);
}

std::vector<RunResult> run_program_batch(const std::string& target,
                                         std::span<const uint8_t> program,
                                         const std::vector<RawSample>& samples,
                                         const RunOptions& options,
                                         const std::function<void(size_t done)>& progress) {
  std::vector<RunResult> results;
  results.reserve(samples.size());
  if (target == "host") {
    for (const RawSample& sample : samples) {
      results.push_back(run_on_host(program, sample));
      if (progress) progress(results.size());
    }
    return results;
  }
  const std::string machine = board_machine(target);
  const auto loaded = load(target, program);
  const size_t outputs = static_cast<size_t>(loaded->program.num_outputs());
  const auto [input_bytes, output_bytes] = interface_bytes(loaded->program);
  size_t batch = kBoardBatchBytes / std::max<size_t>({input_bytes, output_bytes, 1});
  if (options.max_batch > 0) batch = std::min(batch, options.max_batch);
  batch = std::max<size_t>(batch, 1);
  for (size_t first = 0; first < samples.size(); first += batch) {
    const size_t count = std::min(batch, samples.size() - first);
    std::vector<RunResult> part = run_on_board(target, machine, program, outputs, samples, first,
                                               count, options, options.profile && first == 0);
    for (RunResult& result : part) results.push_back(std::move(result));
    if (progress) progress(results.size());
  }
  return results;
}

}  // namespace tinyexec::runner
