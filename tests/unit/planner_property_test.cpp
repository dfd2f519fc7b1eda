// SPDX-License-Identifier: Apache-2.0
// Properties of the memory planner over 2,000 random graphs of cortex_m-like nodes, and on the
// lowered example model. A checker written here (independently of the planner) recomputes
// every lifetime and proves: every buffer is aligned and inside [0, arena); no two buffers
// live at the same time overlap (values sharing bytes through an alias or in-place write count
// as one buffer); every shared buffer follows the in-place rules (docs/planner.md); and the
// peak is at least the most bytes ever live at once, a lower bound for any plan.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "frontends/onnx/onnx_importer.h"
#include "ir/graph.h"
#include "ir/op_registry.h"
#include "planner/memory_planner.h"
#include "testing/tester.h"

namespace {

namespace ir = tinyexec::ir;
namespace planner = tinyexec::planner;
using planner::Reuse;

// --- a test-only op: any number of inputs, outputs [sizes[i]] of dtypes[i] (0: i8, 1: f32,
// 2: i32), `scratch` bytes of scratch.

ir::DType dtype_code(int64_t code) {
  return code == 1 ? ir::DType::kFloat32 : code == 2 ? ir::DType::kInt32 : ir::DType::kInt8;
}
std::vector<ir::OutputType> infer_random(const ir::Node& node) {
  const auto& sizes = node.attrs.get_ints("sizes");
  const auto& dtypes = node.attrs.get_ints("dtypes");
  std::vector<ir::OutputType> types;
  for (size_t i = 0; i < sizes.size(); ++i) types.push_back({dtype_code(dtypes[i]), {sizes[i]}});
  return types;
}
std::vector<ir::Tensor> evaluate_random(const ir::Node& node, std::span<const ir::Tensor* const>) {
  std::vector<ir::Tensor> out;
  for (const auto& type : infer_random(node)) out.emplace_back(type.dtype, type.shape);
  return out;
}
int64_t random_scratch(const ir::Node& node) {
  return node.attrs.int_or("scratch", 0);
}
const ir::RegisterOp kRandomNode{
    {"test.random_node", infer_random, evaluate_random, nullptr, random_scratch}};

// --- the independent checker

int64_t bytes_of(const ir::Value* value) {
  return value->numel() * static_cast<int64_t>(ir::dtype_size(value->dtype));
}

const std::set<std::string> kInPlaceOps = {"cortex_m.quantized_add", "cortex_m.quantized_mul",
                                           "cortex_m.maximum", "cortex_m.minimum", "cortex_m.lut"};

struct CheckStats {
  int64_t lower_bound = 0;
  int aliases = 0;
  int in_place = 0;
  int scratch = 0;
};

// Checks `plan` for `graph`; `expected_scratch` gives each node's scratch bytes.
CheckStats check_plan(const ir::Graph& graph, const planner::MemoryPlan& plan,
                      const std::function<int64_t(const ir::Node&)>& expected_scratch,
                      int64_t alignment) {
  CheckStats stats;
  const std::vector<ir::Node*> nodes = graph.nodes();
  const int32_t end = nodes.empty() ? 0 : static_cast<int32_t>(nodes.size()) - 1;
  std::map<const ir::Node*, int32_t> index;
  for (size_t i = 0; i < nodes.size(); ++i) index[nodes[i]] = static_cast<int32_t>(i);

  // Every non-constant value, with its own lifetime.
  struct Life {
    int32_t first, last;
  };
  std::vector<const ir::Value*> values;
  std::map<const ir::Value*, Life> life;
  auto add = [&](const ir::Value* v) {
    if (v->is_constant() || life.contains(v)) return;
    Life l{v->producer ? index.at(v->producer) : 0, 0};
    l.last = l.first;
    for (const ir::Node* user : v->users) l.last = std::max(l.last, index.at(user));
    if (ir::is_graph_output(graph, v)) l.last = end;
    life[v] = l;
    values.push_back(v);
  };
  for (const ir::Value* v : graph.inputs()) add(v);
  for (const ir::Node* n : nodes) {
    for (const ir::Value* v : n->outputs) add(v);
  }
  EXPECT_EQ(plan.values.size(), values.size());

  // Group values sharing bytes (union-find over `shares`).
  std::map<const ir::Value*, const ir::Value*> parent;
  for (const ir::Value* v : values) parent[v] = v;
  std::function<const ir::Value*(const ir::Value*)> root = [&](const ir::Value* v) {
    return parent[v] == v ? v : parent[v] = root(parent[v]);
  };
  for (const ir::Value* v : values) {
    const planner::Allocation* a = plan.find(v);
    if (a == nullptr) {
      ADD_FAILURE() << "no allocation for " << v->name;
      continue;
    }
    EXPECT_EQ(a->value, v);
    EXPECT_EQ(a->bytes, bytes_of(v)) << v->name;
    EXPECT_EQ(a->first, life[v].first) << v->name;
    EXPECT_EQ(a->last, life[v].last) << v->name;
    EXPECT_EQ(a->offset % alignment, 0) << v->name;
    EXPECT_GE(a->offset, 0) << v->name;
    EXPECT_LE(a->offset + a->bytes, plan.arena_bytes) << v->name;
    if (a->reuse == Reuse::kNone) {
      EXPECT_EQ(a->shares, nullptr) << v->name;
      continue;
    }
    if (a->shares == nullptr) {
      ADD_FAILURE() << v->name << " reuses bytes but names no value";
      continue;
    }
    EXPECT_EQ(plan.at(a->shares).offset, a->offset) << v->name;
    parent[root(v)] = root(a->shares);
  }

  // Every sharing must follow the rules. Values are visited in graph order, so when v is
  // checked, the members of its input's buffer produced before v's node are known.
  for (const ir::Value* v : values) {
    const planner::Allocation& a = plan.at(v);
    if (a.reuse == Reuse::kNone) continue;
    const ir::Node* node = v->producer;
    if (node == nullptr) {
      ADD_FAILURE() << v->name << " shares bytes but is a graph input";
      continue;
    }
    const int32_t at = index.at(node);
    const auto& inputs = node->inputs;
    EXPECT_NE(std::find(inputs.begin(), inputs.end(), a.shares), inputs.end()) << v->name;
    if (a.reuse == Reuse::kAlias) {
      ++stats.aliases;
      EXPECT_EQ(node->op, "cortex_m.reshape") << v->name;
      EXPECT_EQ(node->inputs.at(0), a.shares) << v->name;
      EXPECT_EQ(bytes_of(a.shares), bytes_of(v)) << v->name;
      continue;
    }
    ++stats.in_place;
    EXPECT_TRUE(kInPlaceOps.contains(node->op)) << v->name << " in place under " << node->op;
    EXPECT_EQ(a.shares->dtype, v->dtype) << v->name;
    EXPECT_EQ(bytes_of(a.shares), bytes_of(v)) << v->name;
    const ir::Value* group = root(a.shares);
    for (const ir::Value* member : values) {
      const bool before = member->producer == nullptr || index.at(member->producer) < at;
      if (root(member) != group || !before) continue;
      // Produced before the node: it must die here and not belong to the caller.
      EXPECT_LE(life[member].last, at) << v->name << " overwrites " << member->name;
      EXPECT_FALSE(member->producer == nullptr) << v->name << " overwrites graph input";
      EXPECT_FALSE(ir::is_graph_output(graph, member)) << v->name << " overwrites graph output";
    }
    for (const ir::Value* operand : inputs) {
      if (operand == nullptr || operand->is_constant() || root(operand) != group) continue;
      EXPECT_EQ(bytes_of(operand), bytes_of(v))
          << v->name << " overwrites the broadcast operand " << operand->name;
    }
  }

  // The buffers: one per group of values (lifetime: the union; bytes: the largest member) and
  // one per scratch.
  struct Region {
    std::string name;
    int64_t offset, bytes;
    int32_t first, last;
  };
  std::map<const ir::Value*, Region> groups;
  for (const ir::Value* v : values) {
    const planner::Allocation& a = plan.at(v);
    auto [it, fresh] = groups.try_emplace(
        root(v), Region{v->name, a.offset, a.bytes, life[v].first, life[v].last});
    Region& r = it->second;
    if (!fresh) {
      r.bytes = std::max(r.bytes, a.bytes);
      r.first = std::min(r.first, life[v].first);
      r.last = std::max(r.last, life[v].last);
    }
  }
  std::vector<Region> regions;
  for (const auto& [root_value, region] : groups) regions.push_back(region);
  size_t scratch_count = 0;
  for (const ir::Node* n : nodes) {
    const int64_t expected = expected_scratch(*n);
    const planner::Allocation* s = plan.find_scratch(n);
    if (expected == 0) {
      EXPECT_EQ(s, nullptr) << n->name;
      continue;
    }
    ++scratch_count;
    ++stats.scratch;
    if (s == nullptr) {
      ADD_FAILURE() << "no scratch for " << n->name;
      continue;
    }
    EXPECT_EQ(s->node, n);
    EXPECT_EQ(s->bytes, expected) << n->name;
    EXPECT_EQ(s->first, index.at(n));
    EXPECT_EQ(s->last, index.at(n));
    EXPECT_EQ(s->offset % alignment, 0) << n->name;
    EXPECT_GE(s->offset, 0);
    EXPECT_LE(s->offset + s->bytes, plan.arena_bytes) << n->name;
    regions.push_back({n->name + ":scratch", s->offset, s->bytes, index.at(n), index.at(n)});
  }
  EXPECT_EQ(plan.scratch.size(), scratch_count);

  // No two regions live at the same time overlap; each pair is checked.
  for (size_t i = 0; i < regions.size(); ++i) {
    for (size_t j = i + 1; j < regions.size(); ++j) {
      const Region& a = regions[i];
      const Region& b = regions[j];
      if (a.first > b.last || b.first > a.last || a.bytes == 0 || b.bytes == 0) continue;
      const bool disjoint = a.offset + a.bytes <= b.offset || b.offset + b.bytes <= a.offset;
      EXPECT_TRUE(disjoint) << a.name << " [" << a.offset << ", +" << a.bytes << ") and " << b.name
                            << " [" << b.offset << ", +" << b.bytes << ") are live together";
    }
  }

  // The peak is at least the most bytes live at one node index.
  for (int32_t t = 0; t <= end; ++t) {
    int64_t live = 0;
    for (const Region& r : regions) {
      if (r.first <= t && t <= r.last) live += r.bytes;
    }
    stats.lower_bound = std::max(stats.lower_bound, live);
  }
  EXPECT_GE(plan.arena_bytes, stats.lower_bound);
  EXPECT_EQ(plan.live_lower_bound, stats.lower_bound);

  // Naive: every value and scratch in its own aligned slot; the plan never needs more.
  int64_t naive = 0;
  auto aligned = [&](int64_t bytes) { return (bytes + alignment - 1) / alignment * alignment; };
  for (const ir::Value* v : values) naive += aligned(bytes_of(v));
  for (const ir::Node* n : nodes) naive += aligned(expected_scratch(*n));
  EXPECT_EQ(plan.naive_arena_bytes, naive);
  EXPECT_LE(plan.arena_bytes, naive);
  return stats;
}

// --- random graphs

struct RandomGraph {
  ir::Graph graph;
  std::map<const ir::Node*, int64_t> scratch;
};

ir::QuantParams quant() {
  return {{0.05f}, {-3}, -1};
}

RandomGraph random_graph(uint32_t seed) {
  std::mt19937 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto chance = [&](int percent) { return uniform(0, 99) < percent; };
  // Sizes from a short list collide often (so same-shaped operands exist); others are odd.
  auto random_size = [&]() -> int64_t {
    static const int64_t kCommon[] = {1, 16, 48, 64, 100};
    return chance(70) ? kCommon[uniform(0, 4)] : uniform(1, 300);
  };

  RandomGraph result;
  ir::Graph& g = result.graph;
  std::vector<ir::Value*> available;  // non-constant values defined so far
  auto int8_value = [&](const std::string& name, ir::Shape shape) {
    ir::Value* v = g.add_value(name, ir::DType::kInt8, std::move(shape));
    v->quant = quant();
    return v;
  };
  const int inputs = uniform(1, 3);
  for (int i = 0; i < inputs; ++i) {
    ir::Value* v = int8_value("in" + std::to_string(i), {random_size()});
    g.inputs().push_back(v);
    available.push_back(v);
  }
  auto pick = [&]() {
    return available[static_cast<size_t>(uniform(0, int(available.size()) - 1))];
  };
  auto pick_int8 = [&]() -> ir::Value* {
    for (int tries = 0; tries < 20; ++tries) {
      ir::Value* v = pick();
      if (v->dtype == ir::DType::kInt8) return v;
    }
    return nullptr;
  };
  // Adds `op` with one int8 output typed by its shape rule.
  auto add_int8_node = [&](const std::string& op, std::vector<ir::Value*> ins,
                           ir::Attributes attrs) {
    ir::Value* out = int8_value("v" + std::to_string(g.node_count()), {});
    ir::Node* node = g.add_node(op, std::move(ins), {out}, std::move(attrs));
    const auto types = ir::infer_node(*node);
    out->shape = types.at(0).shape;
    available.push_back(out);
  };

  const int count = uniform(1, 24);
  for (int n = 0; n < count; ++n) {
    const int kind = uniform(0, 99);
    if (kind < 45) {  // a generic layer, maybe with a constant input and scratch
      std::vector<ir::Value*> ins;
      const int arity = uniform(1, 3);
      for (int i = 0; i < arity; ++i) ins.push_back(pick());
      if (chance(20)) {
        ins.push_back(g.add_constant("w" + std::to_string(n), ir::Tensor(ir::DType::kInt8, {8})));
      }
      const int outs = chance(85) ? 1 : 2;
      std::vector<int64_t> sizes, dtypes;
      std::vector<ir::Value*> out_values;
      for (int o = 0; o < outs; ++o) {
        sizes.push_back(random_size());
        dtypes.push_back(chance(80) ? 0 : uniform(1, 2));
        ir::Value* v = g.add_value("v" + std::to_string(n) + "_" + std::to_string(o),
                                   dtype_code(dtypes.back()), {sizes.back()});
        if (dtypes.back() == 0) v->quant = quant();
        out_values.push_back(v);
      }
      ir::Attributes attrs;
      attrs.set("sizes", sizes);
      attrs.set("dtypes", dtypes);
      const int64_t scratch = chance(40) ? uniform(1, 400) : 0;
      if (scratch > 0) attrs.set("scratch", scratch);
      ir::Node* node = g.add_node("test.random_node", ins, out_values, attrs);
      result.scratch[node] = scratch;
      for (ir::Value* v : out_values) available.push_back(v);
    } else if (kind < 60) {  // reshape [n] <-> [1, n]
      ir::Value* x = pick_int8();
      if (x == nullptr) continue;
      ir::Attributes attrs;
      attrs.set("shape", x->rank() == 1 ? std::vector<int64_t>{1, x->numel()}
                                        : std::vector<int64_t>{x->numel()});
      add_int8_node("cortex_m.reshape", {x}, attrs);
    } else if (kind < 85) {  // a broadcasting binary op
      static const char* kOps[] = {"cortex_m.quantized_add", "cortex_m.quantized_mul",
                                   "cortex_m.maximum", "cortex_m.minimum"};
      ir::Value* a = pick_int8();
      if (a == nullptr) continue;
      ir::Value* b = nullptr;
      const int partner = uniform(0, 3);
      if (partner == 0) {
        b = a;
      } else if (partner == 1) {  // a broadcast [1] operand, a value or a constant
        for (ir::Value* v : available) {
          if (v->dtype == ir::DType::kInt8 && v->numel() == 1 && chance(50)) b = v;
        }
        if (b == nullptr) {
          b = g.add_constant("c" + std::to_string(n), ir::Tensor(ir::DType::kInt8, {1}));
          b->quant = quant();
        }
      } else {  // a same-sized operand if there is one
        std::vector<ir::Value*> same;
        for (ir::Value* v : available) {
          if (v->dtype == ir::DType::kInt8 && v->numel() == a->numel()) same.push_back(v);
        }
        b = same[static_cast<size_t>(uniform(0, int(same.size()) - 1))];
      }
      if (chance(50)) std::swap(a, b);
      add_int8_node(kOps[uniform(0, 3)], {a, b}, {});
    } else {  // lut
      ir::Value* x = pick_int8();
      if (x == nullptr) continue;
      ir::Attributes attrs;
      attrs.set("function", std::string("tanh"));
      add_int8_node("cortex_m.lut", {x}, attrs);
    }
  }
  // Outputs: the last value, some others, now and then a graph input.
  g.outputs().push_back(available.back());
  for (ir::Value* v : available) {
    if (v != available.back() && chance(v->producer ? 12 : 5)) g.outputs().push_back(v);
  }
  ir::verify(g);
  return result;
}

TEST(PlannerProperty, RandomGraphsArePlannedSafely) {
  constexpr int kGraphs = 2000;
  // Ratios of the peak to the live lower bound, per alignment (16 rounds tiny buffers up).
  std::map<int64_t, std::pair<double, int>> ratios;
  double ratio_sum = 0.0;
  double worst = 1.0;
  int measured = 0;
  CheckStats totals;
  for (uint32_t seed = 1; seed <= kGraphs; ++seed) {
    RandomGraph r = random_graph(seed);
    const int64_t alignment = seed % 5 == 0 ? 1 : 16;
    const planner::MemoryPlan plan =
        planner::plan_memory(r.graph, {.alignment = alignment, .in_place = seed % 7 != 0});
    const CheckStats stats = check_plan(
        r.graph, plan,
        [&](const ir::Node& node) {
          auto it = r.scratch.find(&node);
          return it == r.scratch.end() ? int64_t{0} : it->second;
        },
        alignment);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "graph seed " << seed << ":\n" << plan.to_string();
      return;
    }
    totals.aliases += stats.aliases;
    totals.in_place += stats.in_place;
    totals.scratch += stats.scratch;
    if (stats.lower_bound > 0) {
      const double ratio = static_cast<double>(plan.arena_bytes) / stats.lower_bound;
      ratio_sum += ratio;
      ratios[alignment].first += ratio;
      ratios[alignment].second += 1;
      worst = std::max(worst, ratio);
      ++measured;
    }
  }
  ASSERT_GT(measured, 0);
  // The random graphs must exercise every kind of reuse.
  EXPECT_GT(totals.aliases, 100);
  EXPECT_GT(totals.in_place, 100);
  EXPECT_GT(totals.scratch, 100);
  std::printf(
      "planner over %d random graphs: arena / live lower bound = %.4f on average "
      "(alignment 16: %.4f, alignment 1: %.4f; worst %.3f); %d aliases, %d in-place "
      "outputs, %d scratch buffers\n",
      kGraphs, ratio_sum / measured, ratios[16].first / ratios[16].second,
      ratios[1].first / ratios[1].second, worst, totals.aliases, totals.in_place, totals.scratch);
}

TEST(PlannerProperty, ExampleModelPlan) {
  const std::string dir = std::string(TE_SOURCE_DIR) + "/examples/model/";
  ir::Graph graph = tinyexec::frontends::import_onnx(dir + "fashion_cnn.onnx");
  auto calibration = tinyexec::quantizer::load_stacked_samples(graph, dir + "calibration.npy");
  tinyexec::testing::Tester tester(std::move(graph), std::move(calibration));
  tester.quantize().export_().to_edge().run_passes();
  const ir::Graph& lowered = tester.lowered_graph();
  ir::verify(lowered);

  const planner::MemoryPlan plan = planner::plan_memory(lowered);
  const CheckStats stats = check_plan(
      lowered, plan, [](const ir::Node& node) { return ir::scratch_bytes_of(node); }, 16);
  EXPECT_LT(plan.arena_bytes, plan.naive_arena_bytes);
  EXPECT_GE(stats.aliases, 1);   // the reshapes
  EXPECT_GE(stats.in_place, 1);  // the residual add
  std::printf("example model: peak arena %lld bytes (naive %lld, live lower bound %lld)\n%s",
              static_cast<long long>(plan.arena_bytes),
              static_cast<long long>(plan.naive_arena_bytes),
              static_cast<long long>(stats.lower_bound), plan.to_string().c_str());
}

}  // namespace
