// The optimizers' covariance test (src/kernels/portfolio/portfolio-psd.ts): a Cholesky factorization of
// S / max(diag S) stopping at the first pivot below -kPsdTolerance, as
// src/backends/reference/portfolio/portfolio-psd.ts computes it, the same pivots to the bit.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "generated/portfolio.hpp"
#include "status.hpp"

namespace kernelbus::portfolio {

/// A pivot of S / max(diag S) below minus this fails; one within it is a zero pivot.
constexpr double kPsdTolerance = 1e-8;

/// From this many assets psdPivot shares its trailing updates with a second thread (a team of two).
constexpr size_t kTeamFromAssets = 128;

/// A panel's trailing update from row and column k1 on (portfolio_psd.cpp): the factor, the panel, its
/// bounds, its units.
struct PsdJob {
  double* a;
  const double* P;
  size_t n, ld, kb, k0, k1, tiles, pairs, unit;
  int wide;  // the tiles' vectors: 0 baseline, 1 AVX2, 2 AVX-512 (portfolio_psd.cpp)
};

/// Two threads sharing one factorization (portfolio_psd.cpp's comment says how): the owner passes it
/// to psdPivot, a helper calls psdHelp with it.
class PsdTeam {
 public:
  /// The owner: `job` open to the helper (the owner's own work may come between this and join()).
  void post(const PsdJob& job);
  /// The owner: the posted job's units left, with the helper's, every one done before it returns.
  void join();
  /// The owner: no more panels (the helper leaves).
  void finish() { over_.store(true, std::memory_order_release); }
  /// The helper: units of each panel until the owner is over.
  void help();

 private:
  bool claim(uint32_t epoch, size_t& unit);
  // the panel's epoch (high 32 bits) and its next unit
  std::atomic<uint64_t> next_{0};
  std::atomic<size_t> done_{0}, units_{0};
  std::atomic<bool> over_{false};
  PsdJob job_{};
  uint32_t epoch_ = 0;
};

/// Helps `team`'s owner until it is over (a thread that has its own work first: the solve beside it).
inline void psdHelp(PsdTeam& team) { team.help(); }

/// The first failing pivot of the n x n symmetric S: false and its asset and value (in S's units), or
/// true when S passes. `scratch`: n * n + psdPanelLength(n) doubles. On a pass, with `keepFactor`, its
/// first n * n hold the factor of S / max(diag S), as the reference's `a`: row-major, the pivots d_j on
/// the diagonal (L_jj = sqrt(d_j); a zero pivot, within the tolerance, left as it was with its column of
/// L 0), L below it, the reference's bits (without it, what the factorization left there).
/// `team`: the caller owns it, and a helper may join (psdHelp); null: a team of two on the thread pool
/// from kTeamFromAssets where it has two threads, else alone.
bool psdPivot(const double* S, size_t n, double* scratch, size_t& asset, double& pivot, bool keepFactor = true, PsdTeam* team = nullptr);
/// The panel's scratch length for n assets.
size_t psdPanelLength(size_t n);

}  // namespace kernelbus::portfolio
