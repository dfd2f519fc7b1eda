// SPDX-License-Identifier: Apache-2.0
// Range observers for activation calibration and the TFLite int8 parameter arithmetic.
//
// - MinMaxObserver: the smallest and largest value seen.
// - HistogramObserver: min/max, plus a histogram of |x| (2048 bins by default) over [0, R],
//   where R doubles whenever a larger |x| arrives (the bins then merge pairwise, so nothing is
//   approximated). range() clips the min-max range to [-T, T], T being the upper edge of the
//   bin holding the given percentile (default 99.99) of |x|: a few outliers then no longer
//   stretch the scale. This is the plain percentile clip (no KL-divergence search).
//
// Every range includes 0 (activation_params widens it), so real 0 is exactly representable.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace tinyexec::quantizer {

enum class ObserverKind { kMinMax, kHistogram };

struct Range {
  float min = 0.0f;
  float max = 0.0f;
};

// int8 per-tensor activation parameters: real = scale * (q - zero_point).
struct ActivationParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// TFLite's asymmetric int8 parameters for a range: the range is widened to include 0, then
// scale = (max - min) / 255 and zero_point = clamp(round(-min / scale) - 128, -128, 127).
// An empty range [0, 0] gets scale 1 and zero point -128 (every value is 0).
ActivationParams activation_params(Range range);

class Observer {
 public:
  virtual ~Observer() = default;
  // The caller checks that every value is finite.
  virtual void update(std::span<const float> values) = 0;
  virtual Range range() const = 0;
  bool seen() const { return count_ > 0; }
  int64_t count() const { return count_; }

 protected:
  int64_t count_ = 0;
};

class MinMaxObserver : public Observer {
 public:
  void update(std::span<const float> values) override;
  Range range() const override { return {min_, max_}; }

 private:
  float min_ = 0.0f;
  float max_ = 0.0f;
};

class HistogramObserver : public Observer {
 public:
  explicit HistogramObserver(int bins = 2048, double percentile = 99.99);
  void update(std::span<const float> values) override;
  Range range() const override;
  // The percentile of |x| (upper edge of its bin), for tests and reports.
  float threshold() const;

 private:
  std::vector<int64_t> bins_;
  double percentile_;
  float limit_ = 0.0f;  // the histogram covers [0, limit_]
  float min_ = 0.0f;
  float max_ = 0.0f;
};

std::unique_ptr<Observer> make_observer(ObserverKind kind, int histogram_bins = 2048,
                                        double percentile = 99.99);

}  // namespace tinyexec::quantizer
