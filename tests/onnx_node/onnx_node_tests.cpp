// SPDX-License-Identifier: Apache-2.0
// The ONNX node-test driver: runs the ONNX backend node tests (Debian libonnx-testdata) of the
// operators tinyexec supports through the importer and the reference interpreter.
//
//   onnx_node_tests [--data DIR] [--expect FILE] [--markdown FILE] [--filter TEXT] [TEST...]
//
// For each test folder whose model uses only supported operators (the op is read from the
// model's nodes, not from the folder name), every test_data_set_*: the model is imported, the
// inputs (input_*.pb) are run with reference::run, and the outputs are compared with
// output_*.pb: same dtype and shape, floats within 1e-4 + 1e-4 * |expected|, integers exact.
//
// Graph inputs of type INT64 are bound as constants (ImportOptions::constant_inputs): in
// these tests they are the shapes, axes, pads and indices that the IR's static-shape contract
// needs at compile time. Models that declare an opset below 11 are accepted when their
// operator is defined identically there and at opset 11.
//
// One line per test: PASS, FAIL (what differs) or UNSUPPORTED (the import error), then a
// summary per op. The expectations file lists the tests that are UNSUPPORTED by design, each
// with a part of the expected reason. The exit status is 1 when a test fails, when a test is
// UNSUPPORTED without being listed (or for another reason), or when a listed test passes
// (the list must be kept exact); 77 (skipped) when the data folder is missing.
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "frontends/onnx/onnx_importer.h"
#include "frontends/onnx/tensor_proto.h"
#include "ir/op_registry.h"
#include "reference/interpreter.h"

namespace fs = std::filesystem;
namespace ir = tinyexec::ir;
namespace frontends = tinyexec::frontends;
using tinyexec::CompileError;

namespace {

constexpr int kSkipped = 77;

// The operators the project supports (docs/onnx-conformance.md). Tests of these ops are run
// even before an op is implemented, so that a missing op shows up as a failure.
const std::set<std::string> kProjectOps = {"Conv",
                                           "ConvTranspose",
                                           "Gemm",
                                           "MatMul",
                                           "MaxPool",
                                           "AveragePool",
                                           "GlobalAveragePool",
                                           "BatchNormalization",
                                           "Pad",
                                           "ReduceMean",
                                           "Softmax",
                                           "Relu",
                                           "Clip",
                                           "LeakyRelu",
                                           "Sigmoid",
                                           "Tanh",
                                           "HardSigmoid",
                                           "HardSwish",
                                           "Add",
                                           "Sub",
                                           "Mul",
                                           "Div",
                                           "Reshape",
                                           "Flatten",
                                           "Squeeze",
                                           "Unsqueeze",
                                           "Concat",
                                           "Transpose",
                                           "Identity",
                                           "Shape",
                                           "Gather",
                                           "Cast",
                                           "ConstantOfShape",
                                           "Constant",
                                           "QuantizeLinear",
                                           "DequantizeLinear"};

enum class Status { kPass, kFail, kUnsupported };

struct Result {
  std::string test;
  std::string op;     // the model's op ("HardSigmoid+Mul" for a multi-node model)
  int64_t opset = 0;  // the default-domain opset the model declares
  Status status = Status::kPass;
  std::string reason;
  bool expected = true;  // false: counts as a failure of the suite
  std::string note;      // why it is (not) expected
};

struct Expectation {
  std::string reason;  // a substring of the UNSUPPORTED reason
};

std::set<std::string> supported_ops() {
  std::set<std::string> ops = kProjectOps;
  for (const std::string& op : frontends::supported_onnx_ops()) ops.insert(op);
  return ops;
}

onnx::ModelProto load_model(const fs::path& file) {
  std::ifstream stream(file, std::ios::binary);
  onnx::ModelProto model;
  if (!stream || !model.ParseFromIstream(&stream)) {
    throw CompileError(file.string() + ": cannot read the model");
  }
  return model;
}

onnx::TensorProto load_tensor(const fs::path& file) {
  std::ifstream stream(file, std::ios::binary);
  onnx::TensorProto tensor;
  if (!stream || !tensor.ParseFromIstream(&stream)) {
    throw CompileError(file.string() + ": cannot read the tensor");
  }
  return tensor;
}

// The model's op label, or nullopt if it uses an op outside `ops` (the test is not selected).
std::optional<std::string> op_label(const onnx::ModelProto& model,
                                    const std::set<std::string>& ops) {
  std::vector<std::string> seen;
  for (const onnx::NodeProto& node : model.graph().node()) {
    const bool default_domain = node.domain().empty() || node.domain() == "ai.onnx";
    if (!default_domain || !ops.contains(node.op_type())) return std::nullopt;
    if (std::find(seen.begin(), seen.end(), node.op_type()) == seen.end()) {
      seen.push_back(node.op_type());
    }
  }
  if (seen.empty()) return std::nullopt;
  std::string label;
  for (const std::string& op : seen) label += (label.empty() ? "" : "+") + op;
  return label;
}

// input_0.pb, input_1.pb, ... in numeric order.
std::vector<fs::path> numbered_files(const fs::path& folder, const std::string& prefix) {
  std::vector<fs::path> files;
  for (int i = 0;; ++i) {
    const fs::path file = folder / (prefix + std::to_string(i) + ".pb");
    if (!fs::exists(file)) break;
    files.push_back(file);
  }
  return files;
}

std::string index_string(const ir::Shape& shape, int64_t flat) {
  std::vector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    if (shape[d] == 0) break;
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return ir::shape_string(index);
}

// Empty when `actual` matches `expected`; otherwise what differs.
std::string compare(const ir::Tensor& actual, const ir::Tensor& expected) {
  if (actual.dtype() != expected.dtype()) {
    return fmt::format("dtype {} instead of {}", ir::dtype_name(actual.dtype()),
                       ir::dtype_name(expected.dtype()));
  }
  if (actual.shape() != expected.shape()) {
    return fmt::format("shape {} instead of {}", ir::shape_string(actual.shape()),
                       ir::shape_string(expected.shape()));
  }
  int64_t mismatches = 0;
  std::string first;
  double worst = 0;
  for (int64_t i = 0; i < actual.numel(); ++i) {
    bool equal;
    if (actual.dtype() == ir::DType::kFloat32) {
      const double a = actual.as_double(i);
      const double b = expected.as_double(i);
      const double difference = std::fabs(a - b);
      equal =
          (std::isnan(a) && std::isnan(b)) || a == b || difference <= 1e-4 + 1e-4 * std::fabs(b);
      if (!equal && !std::isnan(difference)) worst = std::max(worst, difference);
    } else {
      equal = actual.as_int(i) == expected.as_int(i);
    }
    if (!equal && mismatches++ == 0) {
      first = actual.dtype() == ir::DType::kFloat32
                  ? fmt::format("element {} is {:.8g}, expected {:.8g}",
                                index_string(actual.shape(), i), actual.as_double(i),
                                expected.as_double(i))
                  : fmt::format("element {} is {}, expected {}", index_string(actual.shape(), i),
                                actual.as_int(i), expected.as_int(i));
    }
  }
  if (mismatches == 0) return {};
  std::string text = fmt::format("{} of {} elements differ; {}", mismatches, actual.numel(), first);
  if (worst > 0) text += fmt::format("; largest difference {:.3g}", worst);
  return text;
}

// Runs one test_data_set folder. Sets result.status/reason on the first problem.
void run_data_set(const onnx::ModelProto& model, const fs::path& folder, Result& result) {
  const std::string set_name = folder.filename().string();
  std::set<std::string> initializers;
  for (const auto& initializer : model.graph().initializer())
    initializers.insert(initializer.name());
  std::vector<const onnx::ValueInfoProto*> graph_inputs;
  for (const auto& input : model.graph().input()) {
    if (!initializers.contains(input.name())) graph_inputs.push_back(&input);
  }

  const std::vector<fs::path> input_files = numbered_files(folder, "input_");
  const std::vector<fs::path> output_files = numbered_files(folder, "output_");
  frontends::ImportOptions options;
  options.accept_unchanged_older_opset = true;
  options.warn = [](const std::string&) {};
  std::vector<ir::Tensor> inputs;
  std::vector<ir::Tensor> expected;
  try {
    if (input_files.size() != graph_inputs.size()) {
      throw CompileError(fmt::format("{}: {} input files for {} graph inputs", set_name,
                                     input_files.size(), graph_inputs.size()));
    }
    // Inputs the IR cannot represent (sequences, optionals, DOUBLE, ...) are reported with
    // the importer's own message, as a user would see it.
    for (const onnx::ValueInfoProto* info : graph_inputs) {
      if (!info->type().has_tensor_type() ||
          !frontends::dtype_from_onnx(info->type().tensor_type().elem_type())) {
        frontends::import_onnx_model(model, options);
        throw CompileError(fmt::format("graph input '{}' is not supported", info->name()));
      }
    }
    for (size_t i = 0; i < input_files.size(); ++i) {
      const onnx::ValueInfoProto& info = *graph_inputs[i];
      ir::Tensor tensor = frontends::tensor_from_onnx(
          load_tensor(input_files[i]), fmt::format("{} input '{}'", set_name, info.name()));
      const bool shape_like = info.type().has_tensor_type() &&
                              info.type().tensor_type().elem_type() == onnx::TensorProto::INT64;
      if (shape_like) {
        options.constant_inputs.emplace(info.name(), std::move(tensor));
      } else {
        inputs.push_back(std::move(tensor));
      }
    }
  } catch (const CompileError& error) {
    result.status = Status::kUnsupported;
    result.reason = error.what();
    return;
  }

  ir::Graph graph;
  try {
    graph = frontends::import_onnx_model(model, options);
    for (const fs::path& file : output_files) {
      expected.push_back(frontends::tensor_from_onnx(
          load_tensor(file), fmt::format("{} output '{}'", set_name, file.filename().string())));
    }
  } catch (const CompileError& error) {
    result.status = Status::kUnsupported;
    result.reason = error.what();
    return;
  }
  std::vector<ir::Tensor> outputs;
  try {
    outputs = tinyexec::reference::run(graph, inputs);
  } catch (const std::exception& error) {
    result.status = Status::kFail;
    result.reason = fmt::format("{}: the reference interpreter failed: {}", set_name, error.what());
    return;
  }
  if (outputs.size() != expected.size()) {
    result.status = Status::kFail;
    result.reason =
        fmt::format("{}: {} outputs, expected {}", set_name, outputs.size(), expected.size());
    return;
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    const std::string difference = compare(outputs[i], expected[i]);
    if (!difference.empty()) {
      result.status = Status::kFail;
      result.reason = fmt::format("{}: output {} ('{}'): {}", set_name, i,
                                  model.graph().output(static_cast<int>(i)).name(), difference);
      return;
    }
  }
}

Result run_test(const fs::path& folder, const onnx::ModelProto& model, const std::string& op) {
  Result result;
  result.test = folder.filename().string();
  result.op = op;
  for (const auto& entry : model.opset_import()) {
    if (entry.domain().empty() || entry.domain() == "ai.onnx") result.opset = entry.version();
  }
  std::vector<fs::path> data_sets;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.is_directory() && entry.path().filename().string().starts_with("test_data_set_")) {
      data_sets.push_back(entry.path());
    }
  }
  std::sort(data_sets.begin(), data_sets.end());
  if (data_sets.empty()) {
    result.status = Status::kFail;
    result.reason = "no test_data_set_* folder";
    return result;
  }
  for (const fs::path& data_set : data_sets) {
    try {
      run_data_set(model, data_set, result);
    } catch (const std::exception& error) {  // a crash-like error anywhere is a failure
      result.status = Status::kFail;
      result.reason = fmt::format("{}: {}", data_set.filename().string(), error.what());
    }
    if (result.status != Status::kPass) break;
  }
  return result;
}

std::map<std::string, Expectation> load_expectations(const fs::path& file) {
  std::map<std::string, Expectation> expectations;
  std::ifstream stream(file);
  if (!stream) throw CompileError(file.string() + ": cannot open the expectations file");
  std::string line;
  while (std::getline(stream, line)) {
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    const size_t end = line.find_first_of(" \t", start);
    const std::string test = line.substr(start, end - start);
    std::string reason;
    if (end != std::string::npos) {
      const size_t reason_start = line.find_first_not_of(" \t", end);
      if (reason_start != std::string::npos) reason = line.substr(reason_start);
    }
    if (reason.empty()) throw CompileError(file.string() + ": no reason given for " + test);
    expectations[test] = {reason};
  }
  return expectations;
}

void classify(Result& result, const std::map<std::string, Expectation>& expectations,
              const fs::path& expectations_file) {
  auto it = expectations.find(result.test);
  switch (result.status) {
    case Status::kFail: result.expected = false; break;
    case Status::kPass:
      if (it != expectations.end()) {
        result.expected = false;
        result.note = fmt::format("listed as unsupported in {} but passes: remove it",
                                  expectations_file.filename().string());
      }
      break;
    case Status::kUnsupported:
      if (it == expectations.end()) {
        result.expected = false;
        result.note = "not expected to be unsupported";
      } else if (result.reason.find(it->second.reason) == std::string::npos) {
        result.expected = false;
        result.note = fmt::format("expected the reason to contain \"{}\"", it->second.reason);
      }
      break;
  }
}

const char* status_name(Status status) {
  switch (status) {
    case Status::kPass: return "PASS";
    case Status::kFail: return "FAIL";
    case Status::kUnsupported: return "UNSUPPORTED";
  }
  return "?";
}

std::string markdown_escape(std::string text) {
  std::string escaped;
  for (char c : text) {
    if (c == '|')
      escaped += "\\|";
    else if (c == '\n')
      escaped += ' ';
    else
      escaped += c;
  }
  return escaped;
}

struct Counts {
  int pass = 0, fail = 0, unsupported = 0;
};

void write_markdown(const fs::path& file, const std::vector<Result>& results,
                    const std::map<std::string, Counts>& per_op) {
  std::ofstream out(file);
  out << "| op | passed | failed | unsupported |\n|---|---:|---:|---:|\n";
  Counts total;
  for (const auto& [op, counts] : per_op) {
    out << "| " << op << " | " << counts.pass << " | " << counts.fail << " | " << counts.unsupported
        << " |\n";
    total.pass += counts.pass;
    total.fail += counts.fail;
    total.unsupported += counts.unsupported;
  }
  out << "| **total** | **" << total.pass << "** | **" << total.fail << "** | **"
      << total.unsupported << "** |\n\n";
  out << "| test | op | opset | result | reason |\n|---|---|---:|---|---|\n";
  for (const Result& result : results) {
    out << "| " << result.test << " | " << result.op << " | " << result.opset << " | "
        << status_name(result.status) << " | " << markdown_escape(result.reason) << " |\n";
  }
}

int usage() {
  std::cerr << "usage: onnx_node_tests [--data DIR] [--expect FILE] [--markdown FILE] "
               "[--filter TEXT] [TEST...]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path data = "/usr/share/libonnx-testdata/data/node";
  std::optional<fs::path> expectations_file;
  std::optional<fs::path> markdown;
  std::string filter;
  std::set<std::string> only;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--data" && has_value)
      data = argv[++i];
    else if (arg == "--expect" && has_value)
      expectations_file = argv[++i];
    else if (arg == "--markdown" && has_value)
      markdown = argv[++i];
    else if (arg == "--filter" && has_value)
      filter = argv[++i];
    else if (!arg.starts_with("-"))
      only.insert(arg);
    else
      return usage();
  }
  if (!fs::is_directory(data)) {
    std::cout << "skipped: " << data.string()
              << " not found (install Debian's libonnx-testdata: scripts/setup.sh)\n";
    return kSkipped;
  }
  std::map<std::string, Expectation> expectations;
  try {
    if (expectations_file) expectations = load_expectations(*expectations_file);
  } catch (const std::exception& error) {
    std::cerr << error.what() << "\n";
    return 2;
  }

  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(data)) {
    if (entry.is_directory() && fs::exists(entry.path() / "model.onnx")) {
      folders.push_back(entry.path());
    }
  }
  std::sort(folders.begin(), folders.end());

  const std::set<std::string> ops = supported_ops();
  std::vector<Result> results;
  std::map<std::string, Counts> per_op;
  int failures = 0;
  for (const fs::path& folder : folders) {
    const std::string name = folder.filename().string();
    if (!only.empty() && !only.contains(name)) continue;
    if (!filter.empty() && name.find(filter) == std::string::npos) continue;
    onnx::ModelProto model;
    try {
      model = load_model(folder / "model.onnx");
    } catch (const std::exception& error) {
      std::cerr << error.what() << "\n";
      ++failures;
      continue;
    }
    const std::optional<std::string> op = op_label(model, ops);
    if (!op) continue;
    Result result = run_test(folder, model, *op);
    classify(result, expectations, expectations_file.value_or("expectations"));
    std::cout << status_name(result.status) << " " << result.test << " (" << result.op;
    if (result.opset < 11) std::cout << ", opset " << result.opset;
    std::cout << ")";
    if (!result.reason.empty()) std::cout << ": " << result.reason;
    if (!result.note.empty()) std::cout << " [" << result.note << "]";
    std::cout << "\n";
    Counts& counts = per_op[result.op];
    switch (result.status) {
      case Status::kPass: ++counts.pass; break;
      case Status::kFail: ++counts.fail; break;
      case Status::kUnsupported: ++counts.unsupported; break;
    }
    if (!result.expected) ++failures;
    results.push_back(std::move(result));
  }
  if (expectations_file && only.empty() && filter.empty()) {
    for (const auto& [test, expectation] : expectations) {
      const bool ran = std::any_of(results.begin(), results.end(),
                                   [&](const Result& r) { return r.test == test; });
      if (!ran) {
        std::cout << "STALE " << test << ": listed in " << expectations_file->filename().string()
                  << " but not run (no such test, or its op is not supported)\n";
        ++failures;
      }
    }
  }

  Counts total;
  std::cout << "\nsummary (passed / failed / unsupported):\n";
  for (const auto& [op, counts] : per_op) {
    std::cout << fmt::format("  {:<24} {:>3} / {:>3} / {:>3}\n", op, counts.pass, counts.fail,
                             counts.unsupported);
    total.pass += counts.pass;
    total.fail += counts.fail;
    total.unsupported += counts.unsupported;
  }
  std::cout << fmt::format("  {:<24} {:>3} / {:>3} / {:>3}\n", "total", total.pass, total.fail,
                           total.unsupported);
  std::cout << (failures == 0 ? "OK"
                              : fmt::format("{} problem(s): see the FAIL, STALE and "
                                            "[not expected ...] lines above",
                                            failures))
            << "\n";
  if (markdown) write_markdown(*markdown, results, per_op);
  return failures == 0 ? 0 : 1;
}
