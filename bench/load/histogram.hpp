#pragma once

// A log-linear latency histogram in the manner of HdrHistogram (Debian packs
// no C or C++ HdrHistogram): exact below 256 ns, then 128 buckets per power
// of two, so a percentile is off by less than 0.8 %. Fixed size, no
// allocation while recording: a long run costs no more memory than a short
// one, unlike a vector of every sample.

#include <array>
#include <chrono>
#include <cstdint>

namespace tether::bench {

class histogram {
 public:
  void record(uint64_t ns) {
    ++counts_[index_of(ns)];
    ++total_;
    if (ns > max_)
      max_ = ns;
  }

  /// The time from `t` until now.
  void record_since(std::chrono::steady_clock::time_point t) {
    record(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::steady_clock::now() - t)
            .count()));
  }

  void merge(const histogram& other) {
    for (size_t i = 0; i < counts_.size(); ++i)
      counts_[i] += other.counts_[i];
    total_ += other.total_;
    if (other.max_ > max_)
      max_ = other.max_;
  }

  uint64_t count() const { return total_; }
  double max_us() const { return static_cast<double>(max_) / 1e3; }

  /// The value below which a fraction `p` of the samples lie, in µs.
  double percentile_us(double p) const {
    if (total_ == 0)
      return 0;
    auto rank = static_cast<uint64_t>(p * static_cast<double>(total_ - 1)) + 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank)
        return static_cast<double>(middle_of(i)) / 1e3;
    }
    return max_us();
  }

 private:
  static constexpr size_t exact = 256;
  static constexpr size_t per_octave = 128;
  static constexpr size_t size = exact + (64 - 8) * per_octave;

  static size_t index_of(uint64_t v) {
    if (v < exact)
      return static_cast<size_t>(v);
    auto e = static_cast<size_t>(63 - __builtin_clzll(v)); // 8..63
    auto shift = e - 7;
    return exact + (e - 8) * per_octave +
           static_cast<size_t>((v >> shift) - per_octave);
  }

  static uint64_t middle_of(size_t i) {
    if (i < exact)
      return i;
    auto e = (i - exact) / per_octave + 8;
    auto sub = (i - exact) % per_octave + per_octave;
    auto shift = e - 7;
    return (uint64_t{sub} << shift) + (uint64_t{1} << shift) / 2;
  }

  std::array<uint64_t, size> counts_{};
  uint64_t total_ = 0;
  uint64_t max_ = 0;
};

} // namespace tether::bench
