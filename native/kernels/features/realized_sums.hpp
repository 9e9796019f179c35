// The realized measures' sums over a day's returns (src/backends/reference/features/realized.ts's
// daySum, same order of operations): a day's prices are cut into chunks of kChunk from its first, and
// within a chunk each price i's term goes to lane (i - chunk start) mod 4; a chunk's sum is
// (lane 0 + lane 1) + (lane 2 + lane 3), the day's the chunks' sums added in order to 0. The chunks
// of every day can then run on any threads (the same bits for any thread count), and the lanes are a
// vector's, so the adds are four at a time instead of one serial chain.
#pragma once

#include <cstddef>

#include "doubles.hpp"

namespace kernelbus::features {

/// Prices a chunk (a multiple of 4).
constexpr size_t kChunk = size_t{1} << 16;

/// The terms of the measures (the reference's): each price i of a day has return r_i = log(p_i / p_{i-lag})
/// (0 for i < the day's start + lag) and a term per sum.
enum class Term {
  squares,        // r_i^2
  semivariances,  // two sums: r_i^2 where r_i > 0, r_i^2 where r_i < 0
  bipower,        // |r_{i-1}| |r_i|
  median,         // med(|r_{i-2}|, |r_{i-1}|, |r_i|)^2
  min,            // min(|r_{i-1}|, |r_i|)^2
};

/// One chunk [from, to) of the day whose first price is `start`. Where `check`, days()'s checks of a
/// whole-day session run on the chunk's trades as they are read (ts not before the one before, price
/// finite and > 0): `ok` cleared where one fails (the sums are then meaningless).
struct Chunk {
  Doubles ts, price;
  size_t start, from, to;
  bool check;
  bool ok = true;
};

/// The chunk's sums of `term` (two for semivariances, else one) with returns over `lag` prices.
void chunkSums(Term term, Chunk& c, size_t lag, double* sums);

/// The checks alone, on the chunk's trades.
void checkChunk(Chunk& c);

}  // namespace kernelbus::features
