// SPDX-License-Identifier: Apache-2.0
#include "quantizer/observer.h"

#include <algorithm>
#include <cmath>

#include "support/error.h"

namespace tinyexec::quantizer {

ActivationParams activation_params(Range range) {
  const double min = std::min<double>(range.min, 0.0);
  const double max = std::max<double>(range.max, 0.0);
  if (!std::isfinite(min) || !std::isfinite(max)) {
    fail("cannot quantize the range [{}, {}]: it is not finite", range.min, range.max);
  }
  if (max == min) return {1.0f, -128};
  const double scale = (max - min) / 255.0;
  const double zero = std::round(-min / scale) - 128.0;
  return {static_cast<float>(scale), static_cast<int32_t>(std::clamp(zero, -128.0, 127.0))};
}

void MinMaxObserver::update(std::span<const float> values) {
  for (float v : values) {
    if (count_ == 0) {
      min_ = max_ = v;
    } else {
      min_ = std::min(min_, v);
      max_ = std::max(max_, v);
    }
    ++count_;
  }
}

HistogramObserver::HistogramObserver(int bins, double percentile)
    : bins_(static_cast<size_t>(bins), 0), percentile_(percentile) {
  if (bins < 2 || bins % 2 != 0)
    fail("histogram observer: {} bins, need an even number >= 2", bins);
  if (!(percentile > 0.0 && percentile <= 100.0)) {
    fail("histogram observer: percentile {} is outside (0, 100]", percentile);
  }
}

void HistogramObserver::update(std::span<const float> values) {
  float largest = 0.0f;
  for (float v : values) {
    largest = std::max(largest, std::fabs(v));
    min_ = count_ == 0 ? v : std::min(min_, v);
    max_ = count_ == 0 ? v : std::max(max_, v);
    ++count_;
  }
  if (largest > 0.0f && limit_ == 0.0f) limit_ = largest;
  // Double the covered range until it holds the new values, merging bins pairwise.
  const size_t n = bins_.size();
  while (largest > limit_) {
    for (size_t i = 0; i < n / 2; ++i) bins_[i] = bins_[2 * i] + bins_[2 * i + 1];
    std::fill(bins_.begin() + static_cast<std::ptrdiff_t>(n / 2), bins_.end(), 0);
    limit_ *= 2.0f;
  }
  for (float v : values) {
    const double position = limit_ > 0.0f ? std::fabs(v) / limit_ * static_cast<double>(n) : 0.0;
    bins_[std::min(static_cast<size_t>(position), n - 1)] += 1;
  }
}

float HistogramObserver::threshold() const {
  int64_t total = 0;
  for (int64_t c : bins_) total += c;
  if (total == 0 || limit_ == 0.0f) return 0.0f;
  const double wanted = percentile_ / 100.0 * static_cast<double>(total);
  int64_t cumulative = 0;
  for (size_t i = 0; i < bins_.size(); ++i) {
    cumulative += bins_[i];
    if (static_cast<double>(cumulative) >= wanted) {
      return limit_ * static_cast<float>(i + 1) / static_cast<float>(bins_.size());
    }
  }
  return limit_;
}

Range HistogramObserver::range() const {
  const float t = threshold();
  return {std::max(min_, -t), std::min(max_, t)};
}

std::unique_ptr<Observer> make_observer(ObserverKind kind, int histogram_bins, double percentile) {
  if (kind == ObserverKind::kHistogram) {
    return std::make_unique<HistogramObserver>(histogram_bins, percentile);
  }
  return std::make_unique<MinMaxObserver>();
}

}  // namespace tinyexec::quantizer
