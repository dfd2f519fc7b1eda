// SPDX-License-Identifier: Apache-2.0
// tinyexec inspect MODEL.onnx [--json | --dump]: the graph after import, one row per node with
// its op, name, input and output shapes, parameter bytes (its constant inputs) and MACs.
#include <algorithm>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "command.h"
#include "format.h"
#include "frontends/onnx/onnx_importer.h"
#include "ir/op_registry.h"
#include "ir/printer.h"

namespace tinyexec::cli {
namespace {

struct InspectOptions {
  std::string model;
  bool json = false;
  bool dump = false;
};

struct Row {
  const ir::Node* node;
  int64_t parameter_bytes = 0;
  int64_t macs = 0;
};

std::vector<Row> rows_of(const ir::Graph& graph) {
  std::vector<Row> rows;
  for (const ir::Node* node : graph.nodes()) {
    Row row{node};
    std::set<const ir::Value*> constants;
    for (const ir::Value* input : node->inputs) {
      if (input != nullptr && input->is_constant() && constants.insert(input).second) {
        row.parameter_bytes += static_cast<int64_t>(input->constant->bytes().size());
      }
    }
    const ir::OpSchema& schema = ir::OpRegistry::instance().get(*node);
    if (schema.macs != nullptr) row.macs = schema.macs(*node);  // no rule: the op does no MACs
    rows.push_back(row);
  }
  return rows;
}

// Constants are counted once even when several nodes use them.
std::pair<int64_t, int64_t> parameter_totals(const ir::Graph& graph) {
  std::set<const ir::Value*> constants;
  int64_t bytes = 0;
  for (const ir::Node* node : graph.nodes()) {
    for (const ir::Value* input : node->inputs) {
      if (input != nullptr && input->is_constant() && constants.insert(input).second) {
        bytes += static_cast<int64_t>(input->constant->bytes().size());
      }
    }
  }
  return {bytes, static_cast<int64_t>(constants.size())};
}

std::string value_list(const std::vector<ir::Value*>& values, bool activations_only) {
  std::vector<std::string> items;
  for (const ir::Value* value : values) {
    if (value == nullptr || (activations_only && value->is_constant())) continue;
    items.push_back(value->type_string());
  }
  return join(items);
}

std::string graph_values(const std::vector<ir::Value*>& values) {
  std::vector<std::string> items;
  for (const ir::Value* value : values) {
    items.push_back(value->name + " " + value->type_string() +
                    (value->is_constant() ? " (constant)" : ""));
  }
  return items.empty() ? "none" : join(items);
}

void print_table(const InspectOptions& options, const ir::Graph& graph) {
  const std::vector<Row> rows = rows_of(graph);
  std::cout << "model:   " << options.model << "\n"
            << "inputs:  " << graph_values(graph.inputs()) << "\n"
            << "outputs: " << graph_values(graph.outputs()) << "\n\n";

  Table table({"#", "op", "name", "inputs", "outputs", "param bytes", "MACs"},
              {true, false, false, false, false, true, true});
  int64_t total_macs = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    table.add({std::to_string(i), row.node->op, row.node->name, value_list(row.node->inputs, true),
               value_list(row.node->outputs, false), grouped(row.parameter_bytes),
               grouped(row.macs)});
    total_macs += row.macs;
  }
  std::cout << table.to_string();
  const auto [parameter_bytes, constants] = parameter_totals(graph);
  std::cout << "\ntotal: " << rows.size() << " nodes, " << grouped(parameter_bytes)
            << " parameter bytes in " << constants
            << (constants == 1 ? " constant, " : " constants, ") << grouped(total_macs)
            << " MACs\n";
}

nlohmann::ordered_json value_json(const ir::Value& value) {
  nlohmann::ordered_json json = {{"name", value.name},
                                 {"dtype", std::string(ir::dtype_name(value.dtype))},
                                 {"shape", value.shape},
                                 {"constant", value.is_constant()}};
  if (value.is_constant()) json["bytes"] = value.constant->bytes().size();
  return json;
}

void print_json(const InspectOptions& options, const ir::Graph& graph) {
  const std::vector<Row> rows = rows_of(graph);
  nlohmann::ordered_json json;
  json["model"] = options.model;
  json["inputs"] = nlohmann::ordered_json::array();
  for (const ir::Value* value : graph.inputs()) json["inputs"].push_back(value_json(*value));
  json["outputs"] = nlohmann::ordered_json::array();
  for (const ir::Value* value : graph.outputs()) json["outputs"].push_back(value_json(*value));
  json["nodes"] = nlohmann::ordered_json::array();
  int64_t total_macs = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    nlohmann::ordered_json node = {{"index", i},
                                   {"op", row.node->op},
                                   {"name", row.node->name},
                                   {"parameter_bytes", row.parameter_bytes},
                                   {"macs", row.macs}};
    node["inputs"] = nlohmann::ordered_json::array();
    for (const ir::Value* input : row.node->inputs) {
      node["inputs"].push_back(input == nullptr ? nlohmann::ordered_json(nullptr)
                                                : value_json(*input));
    }
    node["outputs"] = nlohmann::ordered_json::array();
    for (const ir::Value* output : row.node->outputs)
      node["outputs"].push_back(value_json(*output));
    json["nodes"].push_back(std::move(node));
    total_macs += row.macs;
  }
  const auto [parameter_bytes, constants] = parameter_totals(graph);
  json["totals"] = {{"nodes", rows.size()},
                    {"parameter_bytes", parameter_bytes},
                    {"constants", constants},
                    {"macs", total_macs}};
  std::cout << json.dump(2) << "\n";
}

int run_inspect(const InspectOptions& options) {
  const ir::Graph graph = frontends::import_onnx(options.model);
  if (options.dump) {
    std::cout << ir::print_graph(graph);
  } else if (options.json) {
    print_json(options, graph);
  } else {
    print_table(options, graph);
  }
  return kExitOk;
}

}  // namespace

Command add_inspect(CLI::App& app) {
  auto options = std::make_shared<InspectOptions>();
  CLI::App* sub = app.add_subcommand(
      "inspect", "Import a model and show its graph: ops, shapes, parameter bytes, MACs");
  sub->add_option("model", options->model, "the model (.onnx)")->required();
  CLI::Option* json = sub->add_flag("--json", options->json, "print the table as JSON");
  CLI::Option* dump = sub->add_flag("--dump", options->dump, "print the IR graph as text");
  json->excludes(dump);
  return {sub, [options] { return run_inspect(*options); }};
}

}  // namespace tinyexec::cli
