// RankedHistory (vpin.hpp): the sorted VPIN history a stream ranks each new value in for its CDF.
#include <algorithm>

#include "vpin.hpp"

namespace kernelbus::vpin {

// RankedHistory: blocks of at most 2 * kBlock sorted values; the values of block b are all <= those
// of block b + 1. Insert finds the block by its last value, so equal values go after existing ones.

size_t RankedHistory::insert(double x) {
  if (blocks_.empty()) {
    blocks_.emplace_back();
    lasts_.push_back(x);
    sizes_.push_back(0);
  }
  // The first block whose last value is > x takes x (after its equal values); else the last block.
  size_t b = static_cast<size_t>(std::upper_bound(lasts_.begin(), lasts_.end() - 1, x) - lasts_.begin());
  size_t before = 0;
  for (size_t i = 0; i < b; i++) before += sizes_[i];
  std::vector<double>& block = blocks_[b];
  const auto pos = std::upper_bound(block.begin(), block.end(), x);
  const size_t rank = before + static_cast<size_t>(pos - block.begin()) + 1;
  block.insert(pos, x);
  lasts_[b] = block.back();
  sizes_[b] = block.size();
  if (block.size() >= 2 * kBlock) {
    std::vector<double> upper(block.begin() + kBlock, block.end());
    block.resize(kBlock);
    lasts_[b] = block.back();
    sizes_[b] = kBlock;
    const auto at = static_cast<std::ptrdiff_t>(b) + 1;
    lasts_.insert(lasts_.begin() + at, upper.back());
    sizes_.insert(sizes_.begin() + at, upper.size());
    blocks_.insert(blocks_.begin() + at, std::move(upper));
  }
  size_++;
  return rank;
}

void RankedHistory::erase(double x) {
  // The first block whose last value is >= x holds x (the blocks are ordered).
  const size_t b = static_cast<size_t>(std::lower_bound(lasts_.begin(), lasts_.end(), x) - lasts_.begin());
  if (b == blocks_.size()) return;
  std::vector<double>& block = blocks_[b];
  const auto pos = std::lower_bound(block.begin(), block.end(), x);
  if (pos == block.end() || !(*pos == x)) return;
  block.erase(pos);
  size_--;
  const auto at = static_cast<std::ptrdiff_t>(b);
  if (block.empty()) {
    blocks_.erase(blocks_.begin() + at);
    lasts_.erase(lasts_.begin() + at);
    sizes_.erase(sizes_.begin() + at);
    return;
  }
  lasts_[b] = block.back();
  sizes_[b] = block.size();
}

void RankedHistory::copyTo(double* out) const {
  for (const auto& block : blocks_) out = std::copy(block.begin(), block.end(), out);
}

void RankedHistory::assign(const double* values, size_t n) {
  blocks_.clear();
  lasts_.clear();
  sizes_.clear();
  for (size_t i = 0; i < n; i += kBlock) {
    blocks_.emplace_back(values + i, values + std::min(n, i + kBlock));
    lasts_.push_back(blocks_.back().back());
    sizes_.push_back(blocks_.back().size());
  }
  size_ = n;
}

}  // namespace kernelbus::vpin
