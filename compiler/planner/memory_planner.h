// SPDX-License-Identifier: Apache-2.0
// The memory planner: every non-constant value of a lowered graph (graph inputs and outputs
// included) and every node's scratch buffer gets an offset in ONE arena, so that the runtime
// allocates nothing (docs/planner.md).
//
// The graph runs node by node in graph order. A value lives from its producer's index (graph
// inputs: 0) to its last user's index (graph outputs: the last node), inclusive; a scratch
// buffer lives during its node only. Buffers whose lifetimes intersect never overlap in the
// arena. Offsets are placed greedily, largest buffer first, each at the lowest aligned offset
// free of every already placed buffer whose lifetime intersects its own (TFLite Micro's
// GreedyMemoryPlanner idea).
//
// Some outputs reuse an input's bytes instead of getting their own buffer (the rules are the
// table in memory_planner.cpp and docs/planner.md): cortex_m.reshape's output IS its input
// (alias), and element-wise ops may write their output over a same-sized input that dies at
// that node (in place). Values sharing bytes form one buffer whose lifetime is the union of
// theirs.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/graph.h"

namespace tinyexec::planner {

struct PlannerOptions {
  int64_t alignment = 16;  // every offset is a multiple of this (16: Helium/MVE vector loads)
  bool in_place = true;    // let element-wise ops write over a dying input (reshape always aliases)
};

// How a value's bytes relate to another value's.
enum class Reuse : uint8_t {
  kNone,     // a buffer of its own
  kAlias,    // cortex_m.reshape: the very bytes of `shares` (nothing is written)
  kInPlace,  // an element-wise op wrote it over `shares`, which died at that node
};

// One planned region of the arena: a value or a node's scratch.
struct Allocation {
  std::string name;                  // the value's name, or "<node name>:scratch"
  const ir::Value* value = nullptr;  // the value (nullptr for scratch)
  const ir::Node* node = nullptr;    // the node owning the scratch (nullptr for values)
  int64_t offset = 0;                // in the arena, a multiple of the alignment
  int64_t bytes = 0;                 // numel * dtype size, or the op's scratch_bytes
  int32_t first = 0;                 // lifetime: node indices [first, last], inclusive; the
  int32_t last = 0;                  // value's own, not extended by its aliases
  Reuse reuse = Reuse::kNone;
  const ir::Value* shares = nullptr;  // the input whose bytes it reuses (kAlias / kInPlace)

  int64_t end() const { return offset + bytes; }
};

struct MemoryPlan {
  int64_t arena_bytes = 0;        // the peak: the largest offset + bytes of any allocation
  int64_t naive_arena_bytes = 0;  // every value and scratch in its own aligned slot, no reuse
  int64_t live_lower_bound = 0;   // the most bytes live at one node index (buffers counted once)
  int64_t alignment = 0;
  std::vector<Allocation> values;   // every non-constant value: graph inputs, then node outputs
  std::vector<Allocation> scratch;  // every node with scratch_bytes > 0, in graph order

  // nullptr when the value is not planned (constants) / the node has no scratch.
  const Allocation* find(const ir::Value* value) const;
  const Allocation* find_scratch(const ir::Node* node) const;
  // The value's allocation; throws a CompileError naming the value when it has none.
  const Allocation& at(const ir::Value* value) const;

  // The report: the peak, then one line per allocation (offset, bytes, lifetime, name, reuse).
  std::string to_string() const;

 private:
  friend MemoryPlan plan_memory(const ir::Graph& graph, const PlannerOptions& options);
  std::unordered_map<const ir::Value*, size_t> value_index_;
  std::unordered_map<const ir::Node*, size_t> scratch_index_;
};

// Plans the arena of `graph` (nodes in execution order; scratch sizes from each op's
// OpSchema::scratch_bytes). Throws a CompileError for a non-constant node input that no node
// produces and that is not a graph input, or an alignment < 1.
MemoryPlan plan_memory(const ir::Graph& graph, const PlannerOptions& options = {});

}  // namespace tinyexec::planner
