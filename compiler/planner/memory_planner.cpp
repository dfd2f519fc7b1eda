// SPDX-License-Identifier: Apache-2.0
#include "planner/memory_planner.h"

#include <algorithm>
#include <numeric>

#include "ir/op_registry.h"

namespace tinyexec::planner {
namespace {

// Where an output may reuse an input's bytes instead of a buffer of its own. "Dies here" means
// the input's whole buffer (the input and every value already sharing its bytes) has its last
// use at this node; "not graph I/O" means no value of that buffer is a graph input or output
// (the caller owns those bytes before and after the run).
//
// | op                                      | output reuses      | when                         |
// |-----------------------------------------|--------------------|------------------------------|
// | cortex_m.reshape                        | input 0 (alias:    | the input is not a constant  |
// |                                         | the same bytes)    |                              |
// | cortex_m.quantized_add, quantized_mul,  | input 0, else      | that input has the output's  |
// | maximum, minimum                        | input 1 (in place) | size (so its shape: not      |
// |                                         |                    | broadcast), dies here, not   |
// |                                         |                    | graph I/O                    |
// | cortex_m.lut                            | input 0 (in place) | dies here, not graph I/O     |
//
// Why in place is safe: add_s8 / mul_s8 / maximum_s8 / minimum_s8 (kernels/src/elementwise.cpp)
// compute output[i] from the operands' elements at the output's coordinates and write it after
// reading them; a same-shaped operand's element i sits at index i, so each byte is read before
// it is overwritten and never read again. A broadcast operand is read again for later outputs,
// so it must never be overwritten. lut_s8 writes out[i] = table[in[i] + 128] (the header allows
// output == input).
enum class Rule { kNone, kAlias, kElementwiseBinary, kElementwiseUnary };

Rule rule_of(const ir::Node& node) {
  if (node.op == "cortex_m.reshape") return Rule::kAlias;
  if (node.op == "cortex_m.quantized_add" || node.op == "cortex_m.quantized_mul" ||
      node.op == "cortex_m.maximum" || node.op == "cortex_m.minimum") {
    return Rule::kElementwiseBinary;
  }
  if (node.op == "cortex_m.lut") return Rule::kElementwiseUnary;
  return Rule::kNone;
}

int64_t align_up(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

// A region of the arena: a value with every value sharing its bytes, or one scratch buffer.
struct Buffer {
  std::vector<size_t> values;  // indices into MemoryPlan::values
  int64_t scratch = -1;        // index into MemoryPlan::scratch, or -1
  int64_t bytes = 0;
  int32_t first = 0;
  int32_t last = 0;
  bool graph_io = false;  // holds a graph input or output
  int64_t offset = 0;
};

bool lifetimes_intersect(const Buffer& a, const Buffer& b) {
  return a.first <= b.last && b.first <= a.last;
}

// Greedy by size: largest first (ties: earlier first use, then creation order), each at the
// lowest aligned offset that overlaps no placed buffer whose lifetime intersects its own.
void place(std::vector<Buffer>& buffers, int64_t alignment) {
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (buffers[a].bytes != buffers[b].bytes) return buffers[a].bytes > buffers[b].bytes;
    return buffers[a].first < buffers[b].first;
  });
  std::vector<size_t> placed;
  std::vector<const Buffer*> conflicts;
  for (size_t index : order) {
    Buffer& buffer = buffers[index];
    conflicts.clear();
    for (size_t other : placed) {
      if (lifetimes_intersect(buffer, buffers[other]) && buffers[other].bytes > 0) {
        conflicts.push_back(&buffers[other]);
      }
    }
    std::sort(conflicts.begin(), conflicts.end(),
              [](const Buffer* a, const Buffer* b) { return a->offset < b->offset; });
    int64_t candidate = 0;
    for (const Buffer* other : conflicts) {
      if (candidate + buffer.bytes <= other->offset) break;  // fits in the gap below `other`
      candidate = std::max(candidate, align_up(other->offset + other->bytes, alignment));
    }
    buffer.offset = candidate;
    placed.push_back(index);
  }
}

const char* reuse_name(Reuse reuse) {
  switch (reuse) {
    case Reuse::kNone: return "";
    case Reuse::kAlias: return "alias of";
    case Reuse::kInPlace: return "in place over";
  }
  return "";
}

}  // namespace

const Allocation* MemoryPlan::find(const ir::Value* value) const {
  auto it = value_index_.find(value);
  return it == value_index_.end() ? nullptr : &values[it->second];
}

const Allocation* MemoryPlan::find_scratch(const ir::Node* node) const {
  auto it = scratch_index_.find(node);
  return it == scratch_index_.end() ? nullptr : &scratch[it->second];
}

const Allocation& MemoryPlan::at(const ir::Value* value) const {
  const Allocation* allocation = find(value);
  if (allocation == nullptr) {
    fail("memory plan: value '{}' has no allocation (constants live outside the arena)",
         value != nullptr ? value->name : "<null>");
  }
  return *allocation;
}

std::string MemoryPlan::to_string() const {
  std::string out =
      fmt::format("memory plan: arena {} bytes (naive {}, live lower bound {}), alignment {}\n",
                  arena_bytes, naive_arena_bytes, live_lower_bound, alignment);
  out += fmt::format("  {:>10} {:>10}  {:<13} {}\n", "offset", "bytes", "lifetime", "buffer");
  std::vector<const Allocation*> all;
  for (const Allocation& a : values) all.push_back(&a);
  for (const Allocation& a : scratch) all.push_back(&a);
  std::stable_sort(all.begin(), all.end(),
                   [](const Allocation* a, const Allocation* b) { return a->first < b->first; });
  for (const Allocation* a : all) {
    std::string line = fmt::format("  {:>10} {:>10}  {:<13} {}", a->offset, a->bytes,
                                   fmt::format("[{}, {}]", a->first, a->last), a->name);
    if (a->shares != nullptr)
      line += fmt::format(" ({} {})", reuse_name(a->reuse), a->shares->name);
    out += line + "\n";
  }
  return out;
}

MemoryPlan plan_memory(const ir::Graph& graph, const PlannerOptions& options) {
  if (options.alignment < 1) fail("memory plan: alignment {} must be >= 1", options.alignment);
  MemoryPlan plan;
  plan.alignment = options.alignment;
  const std::vector<ir::Node*> nodes = graph.nodes();
  const int32_t last_index = nodes.empty() ? 0 : static_cast<int32_t>(nodes.size()) - 1;
  std::unordered_map<const ir::Node*, int32_t> node_index;
  for (size_t i = 0; i < nodes.size(); ++i) node_index[nodes[i]] = static_cast<int32_t>(i);

  std::vector<Buffer> buffers;
  std::vector<size_t> buffer_of_value;  // per MemoryPlan::values entry

  // A value's own lifetime and bytes; it starts as a buffer of its own.
  auto add_value = [&](const ir::Value* value, int32_t first) {
    Allocation a;
    a.name = value->name;
    a.value = value;
    a.bytes = value->numel() * static_cast<int64_t>(ir::dtype_size(value->dtype));
    a.first = first;
    a.last = first;
    for (const ir::Node* user : value->users) {
      auto it = node_index.find(user);
      if (it != node_index.end()) a.last = std::max(a.last, it->second);
    }
    const bool graph_output = ir::is_graph_output(graph, value);
    if (graph_output) a.last = last_index;
    Buffer buffer;
    buffer.values = {plan.values.size()};
    buffer.bytes = a.bytes;
    buffer.first = a.first;
    buffer.last = a.last;
    buffer.graph_io = graph_output || value->producer == nullptr;
    plan.value_index_[value] = plan.values.size();
    buffer_of_value.push_back(buffers.size());
    plan.values.push_back(std::move(a));
    buffers.push_back(std::move(buffer));
  };
  for (const ir::Value* input : graph.inputs()) {
    if (!input->is_constant() && !plan.value_index_.contains(input)) add_value(input, 0);
  }

  // Moves value `index` (a fresh buffer of its own) into the buffer of `target`.
  auto join = [&](size_t index, const ir::Value* target, Reuse reuse) {
    Allocation& a = plan.values[index];
    a.reuse = reuse;
    a.shares = target;
    Buffer& own = buffers[buffer_of_value[index]];
    Buffer& shared = buffers[buffer_of_value[plan.value_index_.at(target)]];
    shared.values.push_back(index);
    shared.bytes = std::max(shared.bytes, own.bytes);
    shared.first = std::min(shared.first, own.first);
    shared.last = std::max(shared.last, own.last);
    shared.graph_io = shared.graph_io || own.graph_io;
    own.values.clear();  // an empty buffer is dropped before placement
    buffer_of_value[index] = buffer_of_value[plan.value_index_.at(target)];
  };

  for (size_t i = 0; i < nodes.size(); ++i) {
    const ir::Node& node = *nodes[i];
    const int32_t index = static_cast<int32_t>(i);
    for (const ir::Value* input : node.inputs) {
      if (input != nullptr && !input->is_constant() && !plan.value_index_.contains(input)) {
        fail(
            "memory plan: {}: input '{}' is neither produced by an earlier node nor a graph "
            "input",
            node.describe(), input->name);
      }
    }
    for (const ir::Value* output : node.outputs) add_value(output, index);

    const Rule rule = rule_of(node);
    if (node.outputs.size() != 1 || rule == Rule::kNone) continue;
    const size_t out_index = plan.value_index_.at(node.outputs[0]);
    const Allocation& out = plan.values[out_index];
    if (rule == Rule::kAlias) {
      const ir::Value* input = node.input(0);
      if (input != nullptr && !input->is_constant() &&
          plan.values[plan.value_index_.at(input)].bytes == out.bytes) {
        join(out_index, input, Reuse::kAlias);
      }
      continue;
    }
    if (!options.in_place) continue;
    const size_t candidates = rule == Rule::kElementwiseBinary ? 2 : 1;
    for (size_t k = 0; k < candidates && k < node.inputs.size(); ++k) {
      const ir::Value* input = node.inputs[k];
      if (input == nullptr || input->is_constant() || input->dtype != out.value->dtype) continue;
      const Buffer& buffer = buffers[buffer_of_value[plan.value_index_.at(input)]];
      // As many elements as the output it broadcasts to: the same shape, not broadcast (read
      // at the output's own indices). And its buffer must die here and not be the caller's.
      if (plan.values[plan.value_index_.at(input)].bytes != out.bytes || buffer.graph_io ||
          buffer.last != index) {
        continue;
      }
      // Every value of a buffer has the same byte size (an alias or an in-place output joins
      // only a buffer of its own size), so an other operand in this buffer is not broadcast
      // either: each of its bytes too is read only for the output element at its index.
      join(out_index, input, Reuse::kInPlace);
      break;
    }
  }

  // Scratch: one buffer per node that needs any, alive during its node only.
  for (size_t i = 0; i < nodes.size(); ++i) {
    const int64_t bytes = ir::scratch_bytes_of(*nodes[i]);
    if (bytes == 0) continue;
    Allocation a;
    a.name = nodes[i]->name + ":scratch";
    a.node = nodes[i];
    a.bytes = bytes;
    a.first = a.last = static_cast<int32_t>(i);
    Buffer buffer;
    buffer.scratch = static_cast<int64_t>(plan.scratch.size());
    buffer.bytes = bytes;
    buffer.first = buffer.last = a.first;
    plan.scratch_index_[nodes[i]] = plan.scratch.size();
    plan.scratch.push_back(std::move(a));
    buffers.push_back(std::move(buffer));
  }

  std::erase_if(buffers, [](const Buffer& b) { return b.values.empty() && b.scratch < 0; });
  place(buffers, options.alignment);

  for (const Buffer& buffer : buffers) {
    for (size_t v : buffer.values) plan.values[v].offset = buffer.offset;
    if (buffer.scratch >= 0)
      plan.scratch[static_cast<size_t>(buffer.scratch)].offset = buffer.offset;
    plan.arena_bytes = std::max(plan.arena_bytes, buffer.offset + buffer.bytes);
  }
  for (const Allocation& a : plan.values) {
    plan.naive_arena_bytes += align_up(a.bytes, options.alignment);
  }
  for (const Allocation& a : plan.scratch) {
    plan.naive_arena_bytes += align_up(a.bytes, options.alignment);
  }
  for (int32_t t = 0; t <= last_index; ++t) {
    int64_t live = 0;
    for (const Buffer& buffer : buffers) {
      if (buffer.first <= t && t <= buffer.last) live += buffer.bytes;
    }
    plan.live_lower_bound = std::max(plan.live_lower_bound, live);
  }
  return plan;
}

}  // namespace tinyexec::planner
