// See portfolio_psd.hpp. The factorization is blocked (panels of kPanel columns copied transposed, so
// a column is contiguous; the trailing matrix updated by register tiles of kRows x 4 or 8 elements,
// shared by a team of two threads), and each element still takes its updates one at a time, column k
// of L in ascending order, as the reference's right-looking loop does: the pivots are the reference's
// bits.
//
// The team: the thread that factors (the owner) publishes each panel's trailing update (all but the
// next panel's columns, which it updates and factors itself meanwhile: factorOwner) as units of tile
// pairs, and it and a helper (psdHelp) claim units from one atomic counter whose high half names the
// panel; the owner waits until every unit of the panel is done before the next panel's. A helper
// reads a panel's work only after it claimed a unit of it (the owner cannot move on before that unit
// is done), never waits for the owner but for a new panel, and leaves when the owner is over; an
// owner without a helper does every unit itself. So no order in which the two start can block.
#include "portfolio_psd.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <thread>
#include <vector>

#include "parallel.hpp"
#include "portfolio.hpp"
#include "simd.hpp"

#if KERNELBUS_SIMD_DISPATCH
#include <immintrin.h>
#endif

namespace kernelbus::portfolio {
namespace {

constexpr size_t kPanel = 32, kRows = 4, kCols = 8;

// One tile: a[ib + r][mb + c] (r < rows, c < Cols, m <= i) -= P[k][i] P[k][m] for k in [0, kb), k in
// order; P's rows of length ld hold L's columns k0 + k from row k0 on (zero past n). The tile's
// elements held in registers across k.
template <size_t Cols>
inline __attribute__((always_inline)) void tile(double* a, size_t n, const double* P, size_t ld, size_t kb, size_t k0, size_t ib,
                                                size_t rows, size_t mb) {
  double acc[kRows][Cols];
  for (size_t r = 0; r < kRows; r++)
    for (size_t c = 0; c < Cols; c++) acc[r][c] = r < rows && mb + c <= ib + r ? a[(ib + r) * n + mb + c] : 0.0;
  const double* pi = P + (ib - k0);
  const double* pm = P + (mb - k0);
  for (size_t k = 0; k < kb; k++) {
    const double* li = pi + k * ld;
    const double* lm = pm + k * ld;
    for (size_t r = 0; r < kRows; r++)
      for (size_t c = 0; c < Cols; c++) acc[r][c] -= li[r] * lm[c];
  }
  for (size_t r = 0; r < rows; r++)
    for (size_t c = 0; c < Cols; c++)
      if (mb + c <= ib + r) a[(ib + r) * n + mb + c] = acc[r][c];
}

// a[i][m] (m <= i, i and m >= k1) -= P[k][i] P[k][m] for k in [0, kb), by tiles of kRows x Cols
// elements (Cols 8 with 256-bit vectors, 4 with 128-bit ones).
// (columns m1 .. m2 - 1 only: m2 - m1 a multiple of Cols, or m2 past the diagonal)
template <size_t Cols>
inline __attribute__((always_inline)) void trailingBody(double* a, size_t n, const double* P, size_t ld, size_t kb, size_t k0, size_t m1,
                                                        size_t m2, size_t i0, size_t i1) {
  for (size_t ib = i0; ib < i1; ib += kRows) {
    const size_t rows = std::min(kRows, i1 - ib);
    for (size_t mb = m1; mb < std::min(ib + rows, m2); mb += Cols) tile<Cols>(a, n, P, ld, kb, k0, ib, rows, mb);
  }
}

void trailingRows(double* a, size_t n, const double* P, size_t ld, size_t kb, size_t k0, size_t m1, size_t m2, size_t i0, size_t i1) {
  trailingBody<4>(a, n, P, ld, kb, k0, m1, m2, i0, i1);
}

// y[x] -= u[x] * v for x in [0, len): a column of the panel taking out an earlier one.
inline __attribute__((always_inline)) void columnBody(double* y, const double* u, double v, size_t len) {
  for (size_t x = 0; x < len; x++) y[x] -= u[x] * v;
}
void column(double* y, const double* u, double v, size_t len) { columnBody(y, u, v, len); }

// The same loops compiled for AVX2 (256-bit vectors; no FMA: each product is still rounded before the
// subtraction, as -ffp-contract=off keeps everywhere), picked at run time where simd::level() has it.
#if KERNELBUS_SIMD_DISPATCH
KERNELBUS_TARGET_AVX2 void columnAvx2(double* y, const double* u, double v, size_t len) { columnBody(y, u, v, len); }
// A whole tile below the diagonal (4 x 8), written out: GCC's own vectorization of tile<8> reversed the
// vectors and broadcast through shuffles, 5 of them in the 21 vector operations of each k, at a third of
// what the multiply and subtract pipes can take. The same operations in the same order: the same bits.
KERNELBUS_TARGET_AVX2 inline void fullTileAvx2(double* a, size_t n, const double* P, size_t ld, size_t kb, size_t k0, size_t ib,
                                               size_t mb) {
  __m256d acc[kRows][2];
  for (size_t r = 0; r < kRows; r++) {
    acc[r][0] = _mm256_loadu_pd(a + (ib + r) * n + mb);
    acc[r][1] = _mm256_loadu_pd(a + (ib + r) * n + mb + 4);
  }
  const double* pi = P + (ib - k0);
  const double* pm = P + (mb - k0);
  for (size_t k = 0; k < kb; k++) {
    const double* li = pi + k * ld;
    const __m256d m0 = _mm256_loadu_pd(pm + k * ld), m1 = _mm256_loadu_pd(pm + k * ld + 4);
    for (size_t r = 0; r < kRows; r++) {
      const __m256d b = _mm256_broadcast_sd(li + r);
      acc[r][0] = _mm256_sub_pd(acc[r][0], _mm256_mul_pd(b, m0));
      acc[r][1] = _mm256_sub_pd(acc[r][1], _mm256_mul_pd(b, m1));
    }
  }
  for (size_t r = 0; r < kRows; r++) {
    _mm256_storeu_pd(a + (ib + r) * n + mb, acc[r][0]);
    _mm256_storeu_pd(a + (ib + r) * n + mb + 4, acc[r][1]);
  }
}

// Row group ib's tiles (rows of them) from column mb on (to m2), 8 wide, as trailingRowsAvx2 takes them.
KERNELBUS_TARGET_AVX2 __attribute__((noinline)) void rowGroupAvx2(double* a, size_t n, const double* P, size_t ld, size_t kb, size_t k0,
                                                                  size_t ib, size_t rows, size_t mb, size_t m2) {
  for (; mb < std::min(ib + rows, m2); mb += 8) {
    if (rows == kRows && mb + 8 <= ib + 1) {
      fullTileAvx2(a, n, P, ld, kb, k0, ib, mb);
    } else {
      tile<8>(a, n, P, ld, kb, k0, ib, rows, mb);
    }
  }
}

KERNELBUS_TARGET_AVX2 void trailingRowsAvx2(double* a, size_t n, const double* P, size_t ld, size_t kb, size_t k0, size_t m1, size_t m2,
                                            size_t i0, size_t i1) {
  for (size_t ib = i0; ib < i1; ib += kRows) rowGroupAvx2(a, n, P, ld, kb, k0, ib, std::min(kRows, i1 - ib), m1, m2);
}
// A 4 x 16 tile below the diagonal in 512-bit vectors: the same operations element by element as
// fullTileAvx2 (a product rounded, then subtracted; k in order), so the same bits, in half the
// instructions (Zen 4 runs a 512-bit operation on its 256-bit pipes: the gain is the front end's).
KERNELBUS_TARGET_AVX512 inline void fullTileAvx512(double* a, size_t n, const double* P, size_t ld, size_t kb, size_t k0, size_t ib,
                                                   size_t mb) {
  __m512d acc[kRows][2];
  for (size_t r = 0; r < kRows; r++) {
    acc[r][0] = _mm512_loadu_pd(a + (ib + r) * n + mb);
    acc[r][1] = _mm512_loadu_pd(a + (ib + r) * n + mb + 8);
  }
  const double* pi = P + (ib - k0);
  const double* pm = P + (mb - k0);
  for (size_t k = 0; k < kb; k++) {
    const double* li = pi + k * ld;
    const __m512d m0 = _mm512_loadu_pd(pm + k * ld), m1 = _mm512_loadu_pd(pm + k * ld + 8);
    for (size_t r = 0; r < kRows; r++) {
      const __m512d b = _mm512_set1_pd(li[r]);
      acc[r][0] = _mm512_sub_pd(acc[r][0], _mm512_mul_pd(b, m0));
      acc[r][1] = _mm512_sub_pd(acc[r][1], _mm512_mul_pd(b, m1));
    }
  }
  for (size_t r = 0; r < kRows; r++) {
    _mm512_storeu_pd(a + (ib + r) * n + mb, acc[r][0]);
    _mm512_storeu_pd(a + (ib + r) * n + mb + 8, acc[r][1]);
  }
}

// trailingRowsAvx2 with the tiles wholly below the diagonal 16 wide (fullTileAvx512), the rest as there.
KERNELBUS_TARGET_AVX512 void trailingRowsAvx512(double* a, size_t n, const double* P, size_t ld, size_t kb, size_t k0, size_t m1, size_t m2,
                                                size_t i0, size_t i1) {
  for (size_t ib = i0; ib < i1; ib += kRows) {
    const size_t rows = std::min(kRows, i1 - ib);
    size_t mb = m1;
    if (rows == kRows)
      for (; mb + 16 <= std::min(ib + 1, m2); mb += 16) fullTileAvx512(a, n, P, ld, kb, k0, ib, mb);
    // the rest (the diagonal's tiles) in AVX2's code: tile<8> vectorized for AVX-512 read past the scratch
    rowGroupAvx2(a, n, P, ld, kb, k0, ib, rows, mb, m2);
  }
}
// Column j of the panel (pj[x], x in [j, n)) taking out the panel's earlier columns k0 .. j - 1, k in
// order, as column() does one k at a time: each element's subtractions in the same order, so the same
// bits, with 32 elements held in registers across k (the column loaded and stored once, not once per k).
KERNELBUS_TARGET_AVX512 void columnsAvx512(double* pj, const double* P, size_t ld, size_t k0, size_t j, size_t n) {
  const size_t len = n - j;
  double* y = pj + j;
  const double* base = P - k0 + j;  // base[(k - k0) * ld + x]: row j + x of column k
  size_t x = 0;
  for (; x + 32 <= len; x += 32) {
    __m512d a0 = _mm512_loadu_pd(y + x), a1 = _mm512_loadu_pd(y + x + 8);
    __m512d a2 = _mm512_loadu_pd(y + x + 16), a3 = _mm512_loadu_pd(y + x + 24);
    for (size_t k = k0; k < j; k++) {
      const double* u = base + (k - k0) * ld;
      const __m512d v = _mm512_set1_pd(u[0]);
      a0 = _mm512_sub_pd(a0, _mm512_mul_pd(_mm512_loadu_pd(u + x), v));
      a1 = _mm512_sub_pd(a1, _mm512_mul_pd(_mm512_loadu_pd(u + x + 8), v));
      a2 = _mm512_sub_pd(a2, _mm512_mul_pd(_mm512_loadu_pd(u + x + 16), v));
      a3 = _mm512_sub_pd(a3, _mm512_mul_pd(_mm512_loadu_pd(u + x + 24), v));
    }
    _mm512_storeu_pd(y + x, a0);
    _mm512_storeu_pd(y + x + 8, a1);
    _mm512_storeu_pd(y + x + 16, a2);
    _mm512_storeu_pd(y + x + 24, a3);
  }
  for (; x < len; x += 8) {
    const __mmask8 mask = len - x >= 8 ? static_cast<__mmask8>(0xff) : static_cast<__mmask8>((1u << (len - x)) - 1);
    __m512d acc = _mm512_maskz_loadu_pd(mask, y + x);
    for (size_t k = k0; k < j; k++) {
      const double* u = base + (k - k0) * ld;
      acc = _mm512_sub_pd(acc, _mm512_mul_pd(_mm512_maskz_loadu_pd(mask, u + x), _mm512_set1_pd(u[0])));
    }
    _mm512_mask_storeu_pd(y + x, mask, acc);
  }
}
int wideVectors() {
  const simd::Level l = simd::level();
  return l >= simd::Level::avx512 ? 2 : l >= simd::Level::avx2 ? 1 : 0;
}
#else
void columnAvx2(double* y, const double* u, double v, size_t len) { columnBody(y, u, v, len); }
void trailingRowsAvx2(double* a, size_t n, const double* P, size_t ld, size_t kb, size_t k0, size_t m1, size_t m2, size_t i0, size_t i1) {
  trailingBody<4>(a, n, P, ld, kb, k0, m1, m2, i0, i1);
}
void trailingRowsAvx512(double* a, size_t n, const double* P, size_t ld, size_t kb, size_t k0, size_t m1, size_t m2, size_t i0, size_t i1) {
  trailingBody<4>(a, n, P, ld, kb, k0, m1, m2, i0, i1);
}
void columnsAvx512(double* pj, const double* P, size_t ld, size_t k0, size_t j, size_t n) {
  for (size_t k = k0; k < j; k++) {
    const double* pk = P + (k - k0) * ld - k0;
    column(pj + j, pk + j, pk[j], n - j);
  }
}
int wideVectors() { return 0; }
#endif

// a[i][m] (i in [i0, i1), m in [m1, min(m2, i + 1))) -= P[k][i] P[k][m] for k in [0, job.kb), in the
// code job.wide picks.
void trailingRange(const PsdJob& job, size_t m1, size_t m2, size_t i0, size_t i1) {
  if (job.wide == 2) {
    trailingRowsAvx512(job.a, job.n, job.P, job.ld, job.kb, job.k0, m1, m2, i0, i1);
  } else if (job.wide == 1) {
    trailingRowsAvx2(job.a, job.n, job.P, job.ld, job.kb, job.k0, m1, m2, i0, i1);
  } else {
    trailingRows(job.a, job.n, job.P, job.ld, job.kb, job.k0, m1, m2, i0, i1);
  }
}

// The trailing update's pairs [p0, p1) of `job`, with their partners.
void trailingPairs(const PsdJob& job, size_t p0, size_t p1) {
  const auto rows = [&](size_t q0, size_t q1) {
    trailingRange(job, job.k1, job.n, job.k1 + q0 * kRows, std::min(job.n, job.k1 + q1 * kRows));
  };
  rows(p0, p1);
  // their partners, tiles - p1 .. tiles - 1 - p0, less a middle tile that is its own partner
  const size_t from = std::max(job.tiles - p1, job.pairs);
  if (from < job.tiles - p0) rows(from, job.tiles - p0);
}

void unitOf(const PsdJob& job, size_t u) { trailingPairs(job, u * job.unit, std::min(job.pairs, (u + 1) * job.unit)); }

size_t unitsOf(const PsdJob& job) { return (job.pairs + job.unit - 1) / job.unit; }

/// How long a helper waits for the owner's next panel before it leaves (a panel's own factorization
/// takes 10-50 us at N = 500).
constexpr std::chrono::microseconds kHelperPatience{200};

// A wait's spin `spins`: a few plain, then paused, then yielding the core (on a machine with more
// threads than cores the other may be waiting for this one's core).
inline void relax(size_t spins) {
  if (spins < 64) return;
#if KERNELBUS_SIMD_DISPATCH
  if (spins < 256) {
    _mm_pause();
    return;
  }
#endif
  std::this_thread::yield();
}

}  // namespace

bool PsdTeam::claim(uint32_t epoch, size_t& unit) {
  uint64_t v = next_.load(std::memory_order_acquire);
  for (;;) {
    if (static_cast<uint32_t>(v >> 32) != epoch) return false;
    const size_t u = static_cast<size_t>(v & 0xffffffffu);
    if (u >= units_.load(std::memory_order_acquire)) return false;
    if (next_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
      unit = u;
      return true;
    }
  }
}

void PsdTeam::post(const PsdJob& job) {
  // the job and its unit count first, then its epoch (a helper reads the job only after it claimed a
  // unit of it, which the owner waits for in join() before the next job)
  job_ = job;
  done_.store(0, std::memory_order_relaxed);
  units_.store(unitsOf(job), std::memory_order_relaxed);
  next_.store(static_cast<uint64_t>(++epoch_) << 32, std::memory_order_release);
}

void PsdTeam::join() {
  size_t u = 0, mine = 0;
  while (claim(epoch_, u)) {
    unitOf(job_, u);
    mine++;
  }
  done_.fetch_add(mine, std::memory_order_acq_rel);
  const size_t units = units_.load(std::memory_order_relaxed);
  for (size_t spins = 0; done_.load(std::memory_order_acquire) < units; spins++) relax(spins);
}

void PsdTeam::help() {
  uint32_t seen = 0;
  auto since = std::chrono::steady_clock::now();
  for (size_t spins = 0;; spins++) {
    if (over_.load(std::memory_order_acquire)) return;
    const uint32_t epoch = static_cast<uint32_t>(next_.load(std::memory_order_acquire) >> 32);
    if (epoch == seen) {
      relax(spins);
      // no new panel for kHelperPatience: the owner is slow or descheduled (a loaded machine), and a
      // helper spinning meanwhile takes a core from it or from others; the owner does the rest alone
      if (spins % 64 == 63 && std::chrono::steady_clock::now() - since > kHelperPatience) return;
      continue;
    }
    size_t u = 0;
    while (claim(epoch, u)) {
      unitOf(job_, u);
      done_.fetch_add(1, std::memory_order_acq_rel);
    }
    seen = epoch;
    spins = 0;
    since = std::chrono::steady_clock::now();
  }
}

// Two panels: the one whose trailing update the team runs, and the next, factored meanwhile.
size_t psdPanelLength(size_t n) { return 2 * kPanel * (n + kRows + kCols); }

namespace {

// Panel [k0, k1) of the factorization (its columns of a, every update of the earlier panels taken)
// transposed into P and factored there (P[j - k0][x - k0] = L[x][j]), then written back into a when
// `keepFactor`; false and the failing asset and pivot (in S's units) when a pivot fails.
bool factorPanel(const double* S, size_t n, double* a, double* P, size_t k0, size_t k1, double scale, int wide, bool keepFactor,
                 size_t& asset, double& pivot) {
  const size_t ld = n - k0 + kRows + kCols;
  const double inv = 1 / scale, tol = kPsdTolerance;
  // the panel, transposed: 0 above the diagonal and past n (by rows of a: each row's kb values
  // contiguous, where a column's are n apart)
  for (size_t j = k0; j < k1; j++) {
    double* pj = P + (j - k0) * ld;
    std::fill(pj, pj + (j - k0), 0.0);
    std::fill(pj + (n - k0), pj + ld, 0.0);
  }
  for (size_t x = k0; x < n; x++) {
    const double* row = a + x * n;
    const size_t last = std::min(k1, x + 1);
    for (size_t j = k0; j < last; j++) P[(j - k0) * ld + (x - k0)] = row[j];
  }
  for (size_t j = k0; j < k1; j++) {
    double* pj = P + (j - k0) * ld - k0;  // pj[x]: row x of column j
    if (wide == 2) {
      columnsAvx512(pj, P, ld, k0, j, n);
    } else {
      for (size_t k = k0; k < j; k++) {
        const double* pk = P + (k - k0) * ld - k0;
        if (wide) {
          columnAvx2(pj + j, pk + j, pk[j], n - j);
        } else {
          column(pj + j, pk + j, pk[j], n - j);
        }
      }
    }
    const double d = pj[j];
    if (d < -tol) {
      asset = j;
      pivot = d * scale;
      return false;
    }
    if (d <= tol) {
      for (size_t x = j + 1; x < n; x++) {
        const double v = pj[x], sxx = S[x * n + x] * inv;
        if (v * v > (d + tol) * sxx) {
          asset = j;
          pivot = (d - (v * v) / sxx) * scale;
          return false;
        }
      }
      for (size_t x = j + 1; x < n; x++) pj[x] = 0;
      continue;
    }
    const double r = 1 / std::sqrt(d);
    for (size_t x = j + 1; x < n; x++) pj[x] *= r;
  }
  // the panel's columns of L back into a, for a caller who solves with the factor (the later panels
  // read only the columns to their right)
  if (keepFactor)
    for (size_t j = k0; j < k1; j++)
      for (size_t x = j; x < n; x++) a[x * n + j] = P[(j - k0) * ld + (x - k0)];
  return true;
}

// The factorization (psdPivot), the trailing updates by `team` (null: alone). Look-ahead: after a
// panel, the owner takes its update out of the next panel's columns itself and factors that panel
// (into the other of two panel buffers) while the team updates the rest of the trailing matrix, which
// the next panel's factorization does not read; it then joins the team. Every element still takes the
// updates of k = 0, 1, ... in order, one at a time: the same bits as one panel after another.
bool factorOwner(const double* S, size_t n, double* scratch, size_t& asset, double& pivot, bool keepFactor, PsdTeam* team) {
  double scale = 0;
  for (size_t i = 0; i < n; i++) scale = std::max(scale, S[i * n + i]);
  if (scale == 0) scale = 1;
  double* a = scratch;
  const double inv = 1 / scale;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j <= i; j++) a[i * n + j] = S[i * n + j] * inv;
  const int wide = wideVectors();
  double* panels[2] = {scratch + n * n, scratch + n * n + psdPanelLength(n) / 2};
  size_t k0 = 0, k1 = std::min(n, kPanel);
  double* P = panels[0];
  if (!factorPanel(S, n, a, P, k0, k1, scale, wide, keepFactor, asset, pivot)) return false;
  while (k1 < n) {
    const size_t k2 = std::min(n, k1 + kPanel);
    // the rest of the trailing matrix (rows and columns from k2), by tiles of kRows rows: row x updates
    // its x - k2 + 1 leftmost elements, so tile q goes with tile tiles - 1 - q and every pair is the
    // same work; units of pairs for the team
    PsdJob rest{a, P, n, n - k0 + kRows + kCols, k1 - k0, k0, k2, 0, 0, 0, wide};
    rest.tiles = (n - k2 + kRows - 1) / kRows;
    rest.pairs = (rest.tiles + 1) / 2;
    rest.unit = std::max<size_t>(1, 32768 / (kRows * (n - k2 + 1) * rest.kb + 1));
    if (team != nullptr) team->post(rest);
    // the next panel's columns (rows from k1), then the panel itself
    trailingRange(rest, k1, k2, k1, n);
    double* next = P == panels[0] ? panels[1] : panels[0];
    const bool ok = factorPanel(S, n, a, next, k1, k2, scale, wide, keepFactor, asset, pivot);
    if (team != nullptr) {
      team->join();
    } else {
      trailingPairs(rest, 0, rest.pairs);
    }
    if (!ok) return false;
    k0 = k1;
    k1 = k2;
    P = next;
  }
  return true;
}

}  // namespace

bool psdPivot(const double* S, size_t n, double* scratch, size_t& asset, double& pivot, bool keepFactor, PsdTeam* team) {
  if (team != nullptr) {
    // over on every way out (its helper leaves only then)
    const struct Finish {
      PsdTeam* t;
      ~Finish() { t->finish(); }
    } finish{team};
    return factorOwner(S, n, scratch, asset, pivot, keepFactor, team);
  }
  if (n < kTeamFromAssets || threadCount() < 2) return factorOwner(S, n, scratch, asset, pivot, keepFactor, nullptr);
  // a team of two on the pool: the first to start owns the factorization, the other helps
  PsdTeam own;
  std::atomic<int> arrived{0};
  bool ok = true;
  parallelForChunks(2, 1, [&](size_t, size_t) {
    if (arrived.fetch_add(1) == 0) {
      ok = psdPivot(S, n, scratch, asset, pivot, keepFactor, &own);
    } else {
      psdHelp(own);
    }
  });
  return ok;
}

/// checkPsd(cov, covCount, n) into out (3 values: the first failing covariance, its asset, its pivot;
/// -1, -1, 0 when all pass), the covariances shared between threads. Fault: PortfolioCovInvalid (the
/// lowest covariance's, when no lower one failed the test).
Status checkPsd(const double* cov, size_t covCount, size_t n, double* out) {
  out[0] = -1;
  out[1] = -1;
  out[2] = 0;
  // per covariance: its fault, or its failing pivot; the lowest covariance with either decides
  std::vector<Status> faults(covCount);
  std::vector<double> assets(covCount, -1), pivots(covCount, 0);
  parallelForChunks(covCount, 1, [&](size_t p0, size_t p1) {
    thread_local std::vector<double> scratch;
    scratch.resize(n * n + psdPanelLength(n));
    for (size_t p = p0; p < p1; p++) {
      faults[p] = checkCovAt(cov, p, n);
      size_t asset = 0;
      double pivot = 0;
      if (faults[p].ok() && !psdPivot(cov + p * n * n, n, scratch.data(), asset, pivot, false)) {
        assets[p] = static_cast<double>(asset);
        pivots[p] = pivot;
      }
    }
  });
  for (size_t p = 0; p < covCount; p++) {
    if (!faults[p].ok()) return faults[p];
    if (assets[p] >= 0) {
      out[0] = static_cast<double>(p);
      out[1] = assets[p];
      out[2] = pivots[p];
      break;
    }
  }
  return Status{};
}

}  // namespace kernelbus::portfolio
