// See portfolio_qp.hpp; the same steps as src/backends/reference/portfolio/portfolio-qp.ts.
#include "portfolio_qp.hpp"
#include "portfolio_rows.hpp"
#include "simd.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kernelbus::portfolio {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// variable states
constexpr int8_t kFree = 0, kAtLower = 1, kAtUpper = 2, kTemp = 3;
// row states
constexpr int8_t kInactive = 0, kAtLo = 1, kAtHi = 2, kEqual = 3;
constexpr double kMaxIterationsPerVariable = 20;
/// Not in the factorization (QpSolver::pos_).
constexpr size_t kNone = static_cast<size_t>(-1);
/// A step below this (relative to the free variables' size) is rounding: the point is stationary.
constexpr double kStepTol = 1e-12;

QpResult failed(QpStatus status, double where = -1, double value = 0) { return QpResult{status, 0, where, value}; }

/// y += a x over n values.
void axpy(double a, const double* x, double* y, size_t n) {
  for (size_t i = 0; i < n; i++) y[i] += a * x[i];
}

/// hd += dir[j] x row j of H (n x n), for the free assets j < n in `free` order, four rows a pass
/// (addRowGroup: element by element, the bits of a row at a time at any vector width).
KERNELBUS_VECTOR_BODY void freeRowsBody(double* hd, const double* H, const double* dir, const size_t* free, size_t nf, size_t n) {
  const double* rows[4];
  double a[4];
  size_t k = 0;
  for (size_t f = 0; f < nf; f++) {
    const size_t j = free[f];
    if (j >= n) continue;
    rows[k] = H + j * n;
    a[k++] = dir[j];
    if (k < 4) continue;
    addRowGroup(hd, rows, a, 4, n);
    k = 0;
  }
  addRowGroup(hd, rows, a, k, n);
}

/// max |x_k| over len values (0 for none), in 8 lanes (a maximum is the same in any order).
double largestMagnitude(const double* x, size_t len) {
  double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t k = 0;
  for (; k + 8 <= len; k += 8)
    for (size_t l = 0; l < 8; l++) lane[l] = std::max(lane[l], std::fabs(x[k + l]));
  double m = 0;
  for (; k < len; k++) m = std::max(m, std::fabs(x[k]));
  for (double v : lane) m = std::max(m, v);
  return m;
}

}  // namespace

QpSolver::QpSolver(size_t n, size_t m) : n_(n), m_(m) {}

void QpSolver::allocate() {
  const size_t n = n_, m = m_;
  x_.resize(n + m);
  vstate_.resize(n + m);
  rstate_.resize(m);
  sign_.resize(m);
  g_.resize(n + m);
  rowValue_.resize(m);
  lo_.resize(n + m);
  hi_.resize(n + m);
  cost_.resize(n + m);
  free_.resize(n + m);
  work_.resize(m);
  rhs_.resize(n + 2 * m);
  sol_.resize(n + 2 * m);
  dir_.resize(n + m);
  hd_.resize(n + m);
  passed_.assign(n + 2 * m, 0);
  passedList_.resize(n + 2 * m);
  trialFree_.resize(n + m);
  trialWork_.resize(m);
}

QpResult QpSolver::solve(const QpProblem& p, bool warm) {
  if (x_.empty()) allocate();
  p_ = p;
  factored_ = false;
  ready_ = false;
  iterations_ = 0;
  const size_t n = n_, m = m_;
  scaleH_ = p.scale >= 0 ? p.scale : largestMagnitude(p.H, n * n);
  if (!(warm && warm_ && feasibleHere())) {
    QpResult r = phaseOne();
    if (r.status != QpStatus::Optimal) return finish(r);
  }
  for (size_t i = 0; i < m; i++) {
    lo_[n + i] = 0;
    hi_[n + i] = 0;
  }
  costScale_ = 0;
  for (size_t j = 0; j < n; j++) {
    lo_[j] = p.lower[j];
    hi_[j] = p.upper[j];
    cost_[j] = p.c[j];
    costScale_ = std::max(costScale_, std::fabs(p.c[j]));
  }
  for (size_t i = 0; i < m; i++) cost_[n + i] = 0;
  hasH_ = true;
  factored_ = false;
  gradient();
  QpResult r = iterate();
  // a step of a size that overflows, or rows met only to the conditioning of a degenerate working set
  // (duplicated rows, nearly parallel): no optimum to report
  if (r.status == QpStatus::Optimal && !holds()) r.status = QpStatus::NotConverged;
  return finish(r);
}

QpResult QpSolver::finish(QpResult r) {
  warm_ = r.status == QpStatus::Optimal;
  r.iterations = iterations_;
  return r;
}

bool QpSolver::feasibleHere() {
  const size_t n = n_, m = m_;
  for (size_t j = 0; j < n; j++) {
    const int8_t s = vstate_[j];
    if (s == kAtLower)
      x_[j] = p_.lower[j];
    else if (s == kAtUpper)
      x_[j] = p_.upper[j];
    if (!(x_[j] >= p_.lower[j] && x_[j] <= p_.upper[j])) return false;
    if (s == kTemp && !(p_.lower[j] < x_[j] && x_[j] < p_.upper[j])) return false;
  }
  for (size_t i = 0; i < m; i++) {
    const double r = rowOf(i);
    const double tol = 1e-13 * (1 + rowScale(i));
    const int8_t s = rstate_[i];
    if (s == kEqual && !(p_.rlo[i] == p_.rhi[i] && std::fabs(r - p_.rlo[i]) <= tol)) return false;
    if (s == kAtLo && !(std::fabs(r - p_.rlo[i]) <= tol)) return false;
    if (s == kAtHi && !(std::fabs(r - p_.rhi[i]) <= tol)) return false;
    if (s == kInactive && !(r >= p_.rlo[i] - tol && r <= p_.rhi[i] + tol)) return false;
    if (x_[n + i] != 0) return false;
    rowValue_[i] = r;
  }
  return true;
}

bool QpSolver::holds() const {
  for (size_t j = 0; j < n_; j++) {
    if (!std::isfinite(x_[j])) return false;
    // a free variable far past a bound: steps along a working set singular but for rounding
    const double lo = p_.lower[j], hi = p_.upper[j];
    if (!(x_[j] >= lo - 1e-9 * (1 + std::fabs(lo)) && x_[j] <= hi + 1e-9 * (1 + std::fabs(hi)))) return false;
  }
  for (size_t i = 0; i < m_; i++) {
    const double r = rowOf(i);
    const double tol = 1e-9 * (1 + rowScale(i));
    if (!(r >= p_.rlo[i] - tol && r <= p_.rhi[i] + tol)) return false;
  }
  return true;
}

double QpSolver::rowOf(size_t i) const {
  double r = 0;
  for (size_t j = 0; j < n_; j++) r += p_.A[i * n_ + j] * x_[j];
  return r;
}

double QpSolver::rowScale(size_t i) const {
  double s = 0;
  for (size_t j = 0; j < n_; j++) s += std::fabs(p_.A[i * n_ + j] * x_[j]);
  if (std::isfinite(p_.rlo[i])) s = std::max(s, std::fabs(p_.rlo[i]));
  if (std::isfinite(p_.rhi[i])) s = std::max(s, std::fabs(p_.rhi[i]));
  return s;
}

QpResult QpSolver::phaseOne() {
  const size_t n = n_, m = m_;
  costScale_ = 0;  // the assets cost nothing in phase 1
  for (size_t j = 0; j < n; j++) {
    const double l = p_.lower[j], u = p_.upper[j];
    lo_[j] = l;
    hi_[j] = u;
    cost_[j] = 0;
    if (l >= 0) {
      x_[j] = l;
      vstate_[j] = kAtLower;
    } else if (u <= 0) {
      x_[j] = u;
      vstate_[j] = kAtUpper;
    } else {
      x_[j] = 0;
      vstate_[j] = kTemp;
    }
  }
  for (size_t i = 0; i < m; i++) {
    const double r = rowOf(i);
    const size_t a = n + i;
    lo_[a] = 0;
    hi_[a] = kInf;
    cost_[a] = 1;
    double target = r;
    if (p_.rlo[i] == p_.rhi[i]) {
      rstate_[i] = kEqual;
      target = p_.rlo[i];
    } else if (r < p_.rlo[i]) {
      rstate_[i] = kAtLo;
      target = p_.rlo[i];
    } else if (r > p_.rhi[i]) {
      rstate_[i] = kAtHi;
      target = p_.rhi[i];
    } else {
      rstate_[i] = kInactive;
    }
    sign_[i] = target >= r ? 1 : -1;
    x_[a] = std::fabs(target - r);
    vstate_[a] = rstate_[i] == kInactive ? kAtLower : kFree;
    rowValue_[i] = rstate_[i] == kInactive ? r : target;
  }
  hasH_ = false;
  factored_ = false;
  gradient();
  QpResult r = iterate();
  if (r.status != QpStatus::Optimal) return r;
  long worst = -1;
  double shortfall = 0;
  for (size_t i = 0; i < m; i++) {
    const double a = x_[n + i];
    if (a > 1e-11 * (1 + rowScale(i)) && a > shortfall) {
      shortfall = a;
      worst = static_cast<long>(i);
    }
  }
  if (worst >= 0) return failed(QpStatus::Infeasible, static_cast<double>(worst), shortfall);
  for (size_t i = 0; i < m; i++) x_[n + i] = 0;
  return r;
}

void QpSolver::gradient() {
  const size_t n = n_, m = m_;
  // g = c + H x: H symmetric (as curvatureAlong has it), so by rows (portfolio_rows.hpp)
  std::copy(cost_.begin(), cost_.begin() + static_cast<std::ptrdiff_t>(n), g_.begin());
  if (hasH_) addRows(g_.data(), p_.H, x_.data(), n);
  for (size_t i = 0; i < m; i++) g_[n + i] = cost_[n + i];
}

double QpSolver::h(size_t i, size_t j) const { return hasH_ && i < n_ && j < n_ ? p_.H[i * n_ + j] : 0; }

double QpSolver::a(size_t i, size_t j) const { return j < n_ ? p_.A[i * n_ + j] : j == n_ + i ? sign_[i] : 0; }

bool QpSolver::factor() {
  const size_t n = n_, m = m_;
  size_t nf = 0;
  for (size_t j = 0; j < n + m; j++)
    if (vstate_[j] == kFree) free_[nf++] = j;
  size_t nw = 0;
  for (size_t i = 0; i < m; i++)
    if (rstate_[i] != kInactive) work_[nw++] = i;
  nf_ = nf;
  nw_ = nw;
  if (ready_) {
    ready_ = false;
    return true;
  }
  vertex_ = false;
  // phase 2, the same working rows and one variable freed since the last factorization: its row and
  // column appended to the factors (refactored when the new pivot is small)
  if (factored_ && hasH_ && nw == fnw_ && nf == fnf_ + 1) {
    bool same = true;
    for (size_t k = 0; k < nw && same; k++) same = pos_[n + m + work_[k]] != kNone;
    size_t added = kNone, kept = 0;
    for (size_t k = 0; k < nf && same; k++) {
      if (pos_[free_[k]] != kNone)
        kept++;
      else
        added = free_[k];
    }
    if (same && kept == fnf_ && added != kNone && append(added)) return true;
  }
  return refactor() || (nf == nw && factorVertex());
}

// A vertex (as many working rows as free variables) whose KKT matrix the LU refused. Its determinant is
// det(A_F)^2: rows nearly dependent over the free variables (the budget row and a return row whose two
// free assets' means are 1e-9 apart) square into a pivot below the KKT's tolerance while A_F alone is well
// within its own. There the step solves A_F p = r_W and the multipliers A_F' lambda = r_F - H p
// (kktSolve), through the LU of A_F with each row scaled to its largest entry. False when A_F is singular too.
bool QpSolver::factorVertex() {
  const size_t s = nw_;
  if (V_.size() < s * s) V_.resize(s * s);
  if (vperm_.size() < s) {
    vperm_.resize(s);
    vscale_.resize(s);
  }
  // the pivots measure dependence, not the rows' units
  for (size_t r = 0; r < s; r++) {
    double big = 0;
    for (size_t c = 0; c < s; c++) big = std::max(big, std::fabs(a(work_[r], free_[c])));
    const double d = big > 0 ? 1 / big : 1;
    vscale_[r] = d;
    for (size_t c = 0; c < s; c++) V_[r * s + c] = d * a(work_[r], free_[c]);
  }
  vertex_ = luFactor(V_.data(), s, vperm_.data());
  return vertex_;
}

// kktSolve at a vertex (factorVertex), through the rows' scales D: p = (D A_F)^-1 D r_W, then
// (D A_F)' mu = r_F - H_FF p and lambda = D mu.
void QpSolver::vertexSolve() {
  const size_t s = nf_;
  double* b = buf_.data();
  double* sol = sol_.data();
  for (size_t k = 0; k < s; k++) b[k] = vscale_[k] * rhs_[s + k];
  luSolve(V_.data(), s, vperm_.data(), b, sol);
  for (size_t k = 0; k < s; k++) {
    double t = rhs_[k];
    for (size_t l = 0; l < s; l++) t -= h(free_[k], free_[l]) * sol[l];
    b[k] = t;
  }
  luSolveTransposed(V_.data(), s, vperm_.data(), b, sol + s);
  for (size_t k = 0; k < s; k++) sol[s + k] *= vscale_[k];
}

double QpSolver::entry(size_t p, size_t q) const {
  const size_t v = n_ + m_, i = ord_[p], j = ord_[q];
  if (i < v && j < v) return h(i, j);
  if (i < v) return a(j - v, i);
  if (j < v) return a(i - v, j);
  return 0;
}

bool QpSolver::refactor() {
  const size_t n = n_, m = m_, nf = nf_, nw = nw_, v = n + m;
  const size_t s = nf + nw;
  if (pos_.size() < v + m) pos_.assign(v + m, kNone);
  for (size_t k = 0; k < fs_; k++) pos_[ord_[k]] = kNone;
  // room to append up to 16 variables before the next refactorization
  ld_ = s + 16;
  if (K_.size() < ld_ * ld_) K_.resize(ld_ * ld_);
  if (perm_.size() < ld_) {
    perm_.resize(ld_);
    ord_.resize(ld_);
    col_.resize(ld_);
    row_.resize(ld_);
    buf_.resize(ld_);
    out_.resize(ld_);
  }
  for (size_t k = 0; k < nf; k++) ord_[k] = free_[k];
  for (size_t k = 0; k < nw; k++) ord_[nf + k] = v + work_[k];
  for (size_t k = 0; k < s; k++) pos_[ord_[k]] = k;
  fs_ = s;
  fnf_ = nf;
  fnw_ = nw;
  double* K = K_.data();
  for (size_t r = 0; r < nf; r++) {
    const size_t fr = free_[r];
    for (size_t c = 0; c < nf; c++) K[r * ld_ + c] = h(fr, free_[c]);
    for (size_t c = 0; c < nw; c++) {
      const double x = a(work_[c], fr);
      K[r * ld_ + nf + c] = x;
      K[(nf + c) * ld_ + r] = x;
    }
  }
  for (size_t r = 0; r < nw; r++)
    for (size_t c = 0; c < nw; c++) K[(nf + r) * ld_ + nf + c] = 0;
  big_ = 0;
  for (size_t r = 0; r < s; r++)
    for (size_t c = 0; c < s; c++) big_ = std::max(big_, std::fabs(K[r * ld_ + c]));
  factored_ = luFactor(K, s, ld_, perm_.data());
  return factored_;
}

bool QpSolver::append(size_t j) {
  const size_t s = fs_;
  if (s + 1 > ld_) return false;
  double* K = K_.data();
  // the new column (= row: K is symmetric) in the items' order, and its diagonal
  ord_[s] = j;
  double* c = col_.data();
  double big = big_;
  for (size_t q = 0; q < s; q++) {
    c[q] = entry(s, q);
    big = std::max(big, std::fabs(c[q]));
  }
  const double w = h(j, j);
  big = std::max(big, std::fabs(w));
  // U's new column y = L^-1 P c, L's new row z with z'U = c', the new pivot w - z'y
  double* y = buf_.data();
  for (size_t i = 0; i < s; i++) {
    double t = c[perm_[i]];
    for (size_t k = 0; k < i; k++) t -= K[i * ld_ + k] * y[k];
    y[i] = t;
  }
  double* z = row_.data();
  for (size_t k = 0; k < s; k++) {
    double t = c[k];
    for (size_t i = 0; i < k; i++) t -= z[i] * K[i * ld_ + k];
    z[k] = t / K[k * ld_ + k];
  }
  double d = w;
  for (size_t k = 0; k < s; k++) d -= z[k] * y[k];
  // a pivot partial pivoting might not have taken: factor the whole matrix again
  if (!(std::fabs(d) > 1e-10 * big)) return false;
  for (size_t i = 0; i < s; i++) K[i * ld_ + s] = y[i];
  for (size_t k = 0; k < s; k++) K[s * ld_ + k] = z[k];
  K[s * ld_ + s] = d;
  perm_[s] = s;
  pos_[j] = s;
  fs_ = s + 1;
  fnf_++;
  big_ = big;
  return true;
}

void QpSolver::kktSolve() {
  if (vertex_) {
    vertexSolve();
    return;
  }
  // the right-hand side into the items' order, solved, the solution back into free_ then work_ order
  const size_t nf = nf_, nw = nw_, v = n_ + m_;
  double* b = buf_.data();
  double* x = out_.data();
  for (size_t k = 0; k < nf; k++) b[pos_[free_[k]]] = rhs_[k];
  for (size_t k = 0; k < nw; k++) b[pos_[v + work_[k]]] = rhs_[nf + k];
  luSolve(K_.data(), fs_, ld_, perm_.data(), b, x);
  for (size_t k = 0; k < nf; k++) sol_[k] = x[pos_[free_[k]]];
  for (size_t k = 0; k < nw; k++) sol_[nf + k] = x[pos_[v + work_[k]]];
}

QpResult QpSolver::iterate() {
  const size_t n = n_, m = m_;
  const size_t vars = n + m;
  const double limit = kMaxIterationsPerVariable * static_cast<double>(vars + 10);
  // the last step went the whole way to the working set's minimum, nothing in the way: the point is
  // stationary there whatever the next solve says (a flat direction, two assets of equal means with little
  // curvature between them, turns the gradient's rounding into steps above kStepTol, for ever)
  bool atMinimum = false;
  for (;;) {
    if (++iterations_ > limit) return failed(QpStatus::NotConverged);
    if (!factor()) return failed(QpStatus::NotConverged);
    const size_t nf = nf_, nw = nw_;
    for (size_t k = 0; k < nf; k++) rhs_[k] = -g_[free_[k]];
    for (size_t k = 0; k < nw; k++) rhs_[nf + k] = 0;
    kktSolve();
    if (!solvedFinite()) return failed(QpStatus::NotConverged);
    double pmax = 0, xmax = 1;
    for (size_t k = 0; k < nf; k++) {
      pmax = std::max(pmax, std::fabs(sol_[k]));
      xmax = std::max(xmax, std::fabs(x_[free_[k]]));
    }
    std::fill(dir_.begin(), dir_.end(), 0.0);
    for (size_t k = 0; k < nf; k++) dir_[free_[k]] = sol_[k];
    double curvature = 0, norm2 = 0;
    // as many active rows as free variables: a vertex, where the step is 0 (what the solve gives is rounding)
    if (nf > nw && pmax > kStepTol * xmax && !atMinimum) {
      curvatureAlong(-1, curvature, norm2);
      step(1, -1);
      atMinimum = block_ < 0;
      continue;
    }
    atMinimum = false;
    // stationary: the remaining step of rounding size, taken when it crosses no constraint; then the multipliers
    if (nf > nw) {
      curvatureAlong(-1, curvature, norm2);
      if (ratio(-1, kInf) >= 1) move(1, -1);
    }
    const double* lambda = sol_.data();
    double worst = 0;
    long drop = -1;
    bool dropRow = false;
    double dropMu = 0;
    bool dropFlip = false;
    const double tol = multiplierTolerance();
    for (size_t j = 0; j < vars; j++) {
      const int8_t s = vstate_[j];
      if (s == kFree || lo_[j] == hi_[j]) continue;
      double r = g_[j];
      for (size_t k = 0; k < nw; k++) r += lambda[nf + k] * a(work_[k], j);
      double mu = -r;
      double v = s == kAtLower ? mu : s == kAtUpper ? -mu : std::fabs(mu);
      // phase 1: an equality row's artificial at 0 may leave on the other side of its row (its sign
      // flipped: the row's shortfall is |A x - b| either way), whose reduced cost is 2 cost - r
      bool flip = false;
      if (!hasH_ && j >= n && s == kAtLower && rstate_[j - n] == kEqual && r - 2 * g_[j] > v) {
        mu = r - 2 * g_[j];
        v = mu;
        flip = true;
      }
      if (v > tol && v > worst) {
        worst = v;
        drop = static_cast<long>(j);
        dropRow = false;
        dropMu = mu;
        dropFlip = flip;
      }
    }
    for (size_t k = 0; k < nw; k++) {
      const int8_t s = rstate_[work_[k]];
      const double l = lambda[nf + k];
      const double v = s == kAtLo ? l : s == kAtHi ? -l : 0;
      if (v > tol && v > worst) {
        worst = v;
        drop = static_cast<long>(k);
        dropRow = true;
      }
    }
    if (drop < 0) return failed(QpStatus::Optimal);
    const size_t d = static_cast<size_t>(drop);
    double sigma = 0;
    if (dropRow) {
      for (size_t k = 0; k < nf; k++) rhs_[k] = 0;
      for (size_t k = 0; k < nw; k++) rhs_[nf + k] = 0;
      rhs_[nf + d] = rstate_[work_[d]] == kAtHi ? -1 : 1;
    } else {
      if (dropFlip) sign_[d - n] = -sign_[d - n];
      sigma = dropMu > 0 ? 1 : -1;
      for (size_t k = 0; k < nf; k++) rhs_[k] = -sigma * h(free_[k], d);
      for (size_t k = 0; k < nw; k++) rhs_[nf + k] = -sigma * a(work_[k], d);
    }
    kktSolve();
    if (!solvedFinite()) return failed(QpStatus::NotConverged);
    std::fill(dir_.begin(), dir_.end(), 0.0);
    for (size_t k = 0; k < nf; k++) dir_[free_[k]] = sol_[k];
    const long extra = dropRow ? -1 : drop;
    if (!dropRow) dir_[d] = sigma;
    double slope = 0;
    for (size_t k = 0; k < nf; k++) slope += g_[free_[k]] * sol_[k];
    if (!dropRow) slope += g_[d] * sigma;
    curvatureAlong(extra, curvature, norm2);
    if (curvature < -1e-10 * scaleH_ * norm2) return failed(QpStatus::NotPsd, dropRow ? -1 : static_cast<double>(d), curvature / norm2);
    const double tmax = curvature > 1e-13 * scaleH_ * norm2 ? -slope / curvature : kInf;
    if (dropRow)
      rstate_[work_[d]] = kInactive;
    else
      vstate_[d] = kFree;
    const double alpha = step(tmax, extra);
    if (alpha == kInf) return failed(QpStatus::Unbounded, dropRow ? static_cast<double>(work_[d]) : static_cast<double>(d));
  }
}

bool QpSolver::solvedFinite() const {
  for (size_t k = 0; k < nf_ + nw_; k++)
    if (!std::isfinite(sol_[k])) return false;
  return true;
}

double QpSolver::multiplierTolerance() const {
  double s = costScale_;
  for (size_t j = 0; j < g_.size(); j++) s = std::max(s, std::fabs(g_[j]));
  return 1e-12 * std::max(std::max(s, scaleH_), 1e-300);
}

void QpSolver::curvatureAlong(long extra, double& curvature, double& norm2) {
  const size_t n = n_, nf = nf_;
  curvature = 0;
  norm2 = 0;
  // hd = H dir, row by row of H (symmetric): each free asset's row scaled into hd, in the free order
  std::fill(hd_.begin(), hd_.begin() + static_cast<std::ptrdiff_t>(n), 0.0);
  if (hasH_) {
    simd::run<&freeRowsBody>(hd_.data(), p_.H, dir_.data(), free_.data(), nf, n);
    if (extra >= 0 && static_cast<size_t>(extra) < n) {
      const size_t e = static_cast<size_t>(extra);
      axpy(dir_[e], p_.H + e * n, hd_.data(), n);
    }
  }
  for (size_t k = 0; k < nf; k++) {
    const size_t j = free_[k];
    norm2 += dir_[j] * dir_[j];
    if (j < n) curvature += dir_[j] * hd_[j];
  }
  if (extra >= 0) {
    const size_t e = static_cast<size_t>(extra);
    norm2 += dir_[e] * dir_[e];
    if (e < n) curvature += dir_[e] * hd_[e];
  }
}

double QpSolver::rowChange(size_t i, long extra) const {
  double q = 0;
  for (size_t k = 0; k < nf_; k++) q += a(i, free_[k]) * dir_[free_[k]];
  if (extra >= 0) q += a(i, static_cast<size_t>(extra)) * dir_[static_cast<size_t>(extra)];
  return q;
}

double QpSolver::step(double tmax, long extra) {
  double alpha = ratio(extra, tmax);
  while (block_ >= 0 && !joinable()) alpha = ratio(extra, tmax);
  for (size_t k = 0; k < npassed_; k++) passed_[passedList_[k]] = 0;
  npassed_ = 0;
  if (alpha == kInf) return alpha;
  move(alpha, extra);
  if (block_ >= 0 && blockRow_) {
    const size_t b = static_cast<size_t>(block_);
    rstate_[b] = blockState_;
    rowValue_[b] = blockState_ == kAtHi ? p_.rhi[b] : p_.rlo[b];
    // phase 1: the row's artificial, at 0, takes up a violation past the side the row joined at
    if (!hasH_ && x_[n_ + b] == 0) sign_[b] = blockState_ == kAtHi ? -1 : 1;
  } else if (block_ >= 0) {
    const size_t b = static_cast<size_t>(block_);
    vstate_[b] = blockState_;
    x_[b] = blockState_ == kAtLower ? lo_[b] : hi_[b];
  }
  return alpha;
}

// Whether the working set stays nonsingular with the blocking constraint in it, by factoring it so (kept
// for the next iteration's factor()). A constraint whose joining makes it singular depends on the working
// set over the free variables (two free assets of equal means: the budget and the return rows leave a
// third asset's bound nothing to add): a direction that keeps the working set changes it by rounding only,
// so it does not block; the ratio test passes over it (its variable stops at its bound in move()) and
// looks again.
bool QpSolver::joinable() {
  const size_t nf = nf_, nw = nw_;
  const size_t b = static_cast<size_t>(block_);
  int8_t& state = blockRow_ ? rstate_[b] : vstate_[b];
  const int8_t was = state;
  state = blockState_;
  std::copy_n(free_.begin(), nf, trialFree_.begin());
  std::copy_n(work_.begin(), nw, trialWork_.begin());
  const bool ok = factor();
  state = was;
  std::copy_n(trialFree_.begin(), nf, free_.begin());
  std::copy_n(trialWork_.begin(), nw, work_.begin());
  nf_ = nf;
  nw_ = nw;
  ready_ = ok;
  if (!ok) {
    const size_t at = blockRow_ ? n_ + m_ + b : b;
    passed_[at] = 1;
    passedList_[npassed_++] = at;
  }
  return ok;
}

double QpSolver::ratio(long extra, double tmax) {
  const size_t n = n_, m = m_, nf = nf_;
  double alpha = tmax;
  long block = -1;
  bool blockRow = false;
  int8_t blockState = 0;
  double dmax = 0;
  for (size_t k = 0; k < nf; k++) dmax = std::max(dmax, std::fabs(dir_[free_[k]]));
  if (extra >= 0) dmax = std::max(dmax, std::fabs(dir_[static_cast<size_t>(extra)]));
  const double eps = 1e-12 * dmax;
  auto consider = [&](size_t j) {
    if (passed_[j]) return;
    const double d = dir_[j];
    if (d < -eps && lo_[j] > -kInf) {
      const double t = std::max((lo_[j] - x_[j]) / d, 0.0);
      if (t < alpha) {
        alpha = t;
        block = static_cast<long>(j);
        blockRow = false;
        blockState = kAtLower;
      }
    } else if (d > eps && hi_[j] < kInf) {
      const double t = std::max((hi_[j] - x_[j]) / d, 0.0);
      if (t < alpha) {
        alpha = t;
        block = static_cast<long>(j);
        blockRow = false;
        blockState = kAtUpper;
      }
    }
  };
  if (extra >= 0 && static_cast<size_t>(extra) >= n) consider(static_cast<size_t>(extra));
  for (long k = static_cast<long>(nf) - 1; k >= 0; k--)
    if (free_[static_cast<size_t>(k)] >= n) consider(free_[static_cast<size_t>(k)]);
  if (extra >= 0 && static_cast<size_t>(extra) < n) consider(static_cast<size_t>(extra));
  for (long k = static_cast<long>(nf) - 1; k >= 0; k--)
    if (free_[static_cast<size_t>(k)] < n) consider(free_[static_cast<size_t>(k)]);
  for (size_t i = 0; i < m; i++) {
    if (rstate_[i] != kInactive || passed_[n + m + i]) continue;
    const double q = rowChange(i, extra);
    const double qeps = 1e-12 * dmax * (1 + rowWeight(i));
    const double r = rowValue_[i];
    if (q > qeps && p_.rhi[i] < kInf) {
      const double t = std::max((p_.rhi[i] - r) / q, 0.0);
      if (t < alpha) {
        alpha = t;
        block = static_cast<long>(i);
        blockRow = true;
        blockState = kAtHi;
      }
    } else if (q < -qeps && p_.rlo[i] > -kInf) {
      const double t = std::max((p_.rlo[i] - r) / q, 0.0);
      if (t < alpha) {
        alpha = t;
        block = static_cast<long>(i);
        blockRow = true;
        blockState = kAtLo;
      }
    }
  }
  block_ = block;
  blockRow_ = blockRow;
  blockState_ = blockState;
  return alpha;
}

double QpSolver::rowWeight(size_t i) const {
  double s = 0;
  for (size_t j = 0; j < n_; j++) s = std::max(s, std::fabs(p_.A[i * n_ + j]));
  return s;
}

void QpSolver::move(double alpha, long extra) {
  const size_t n = n_, m = m_, nf = nf_;
  for (size_t i = 0; i < m; i++)
    if (rstate_[i] == kInactive) rowValue_[i] += alpha * rowChange(i, extra);
  // a free variable whose direction was below the ratio test's notice (1e-12 of the largest) can still
  // cross its bound by rounding's worth of a long step: it stops at the bound
  auto advance = [&](size_t j) {
    double v = x_[j] + alpha * dir_[j];
    if (v < lo_[j])
      v = lo_[j];
    else if (v > hi_[j])
      v = hi_[j];
    x_[j] = v;
  };
  for (size_t k = 0; k < nf; k++) advance(free_[k]);
  if (extra >= 0) advance(static_cast<size_t>(extra));
  for (size_t i = 0; i < n; i++) g_[i] += alpha * hd_[i];
}

namespace {
/// One column of the elimination: each row of `below` (the rows after `pivot`, rows of s) takes its
/// multiplier f = row[col] / pivot[col] (kept in row[col]) and subtracts f x the pivot row past col,
/// element by element (no sum: the same bits at any vector width).
KERNELBUS_VECTOR_BODY void eliminateBody(double* below, const double* pivot, size_t s, size_t ld, size_t col) {
  const double d = pivot[col];
  for (size_t r = 0; r < s - col - 1; r++) {
    double* row = below + r * ld;
    const double f = row[col] / d;
    row[col] = f;
    if (f == 0) continue;
    for (size_t c = col + 1; c < s; c++) row[c] -= f * pivot[c];
  }
}
}  // namespace

bool luFactor(double* K, size_t s, size_t ld, size_t* perm) {
  double big = 0;
  for (size_t r = 0; r < s; r++)
    for (size_t c = 0; c < s; c++) big = std::max(big, std::fabs(K[r * ld + c]));
  const double tiny = 1e-14 * big;
  for (size_t i = 0; i < s; i++) perm[i] = i;
  for (size_t col = 0; col < s; col++) {
    size_t piv = col;
    double best = std::fabs(K[col * ld + col]);
    for (size_t r = col + 1; r < s; r++) {
      const double v = std::fabs(K[r * ld + col]);
      if (v > best) {
        best = v;
        piv = r;
      }
    }
    if (!(best > tiny)) return false;
    if (piv != col) {
      for (size_t c = 0; c < s; c++) std::swap(K[col * ld + c], K[piv * ld + c]);
      std::swap(perm[col], perm[piv]);
    }
    simd::run<&eliminateBody>(K + (col + 1) * ld, K + col * ld, s, ld, col);
  }
  return true;
}

void luSolve(const double* LU, size_t s, size_t ld, const size_t* perm, const double* b, double* out) {
  // forward by columns: out[i] takes its terms k = 0, 1, ... in the row order's order (the same bits),
  // the rows' updates independent of each other instead of one chain of dependent subtractions
  for (size_t i = 0; i < s; i++) out[i] = b[perm[i]];
  for (size_t k = 0; k < s; k++) {
    const double o = out[k];
    for (size_t i = k + 1; i < s; i++) out[i] -= LU[i * ld + k] * o;
  }
  for (size_t i = s; i-- > 0;) {
    double v = out[i];
    for (size_t k = i + 1; k < s; k++) v -= LU[i * ld + k] * out[k];
    out[i] = v / LU[i * ld + i];
  }
}

// U'z = b forward, L'z' = z backward, in b; out = P'z'
void luSolveTransposed(const double* LU, size_t s, const size_t* perm, double* b, double* out) {
  for (size_t i = 0; i < s; i++) {
    double v = b[i];
    for (size_t k = 0; k < i; k++) v -= LU[k * s + i] * b[k];
    b[i] = v / LU[i * s + i];
  }
  for (size_t i = s; i-- > 0;) {
    double v = b[i];
    for (size_t k = i + 1; k < s; k++) v -= LU[k * s + i] * b[k];
    b[i] = v;
  }
  for (size_t i = 0; i < s; i++) out[perm[i]] = b[i];
}

}  // namespace kernelbus::portfolio
