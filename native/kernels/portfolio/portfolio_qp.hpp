// The portfolio family's quadratic program solver: minimize 1/2 x'Hx + c'x s.t. lower <= x <= upper,
// rlo <= A x <= rhi, a primal active-set method that keeps its working set's KKT matrix nonsingular
// (phase 1: a feasible vertex by artificials; phase 2: the QP). The algorithm, its tolerances and its
// order of operations are src/backends/reference/portfolio/portfolio-qp.ts's, step for step (the module's
// comment there says how it works). Plain C++17, no allocation after the first solve but the KKT matrix's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kernelbus::portfolio {

enum class QpStatus : int { Optimal = 0, Infeasible = 1, Unbounded = 2, NotPsd = 3, NotConverged = 4 };

/// A problem in the solver's form (pointers into the caller's arrays).
struct QpProblem {
  size_t n = 0;
  const double* H = nullptr;  // n x n, positive semidefinite
  const double* c = nullptr;  // n
  const double* lower = nullptr;
  const double* upper = nullptr;
  size_t m = 0;
  const double* A = nullptr;  // m x n
  const double* rlo = nullptr;
  const double* rhi = nullptr;
  /// max |H_ij| when the caller knows it (checkCovAt found it on the way), else < 0: the solver finds it
  double scale = -1;
};

/// What a solve gives (see portfolio-qp.ts QpResult).
struct QpResult {
  QpStatus status = QpStatus::Optimal;
  double iterations = 0;
  double where = -1;
  double value = 0;
};

/// The solver's state, reusable across problems of one shape (the working set is the warm start); its
/// memory allocated by the first solve (a batch whose problems all take the closed form allocates none).
class QpSolver {
 public:
  QpSolver(size_t n, size_t m);
  /// Solves `p`, warm from the last optimum when `warm` and it is feasible here.
  QpResult solve(const QpProblem& p, bool warm);
  /// Drops the last optimum (a problem solved another way came between): the next solve starts cold.
  void forget() { warm_ = false; }
  /// The solution: the variables, then one artificial per row.
  const double* x() const { return x_.data(); }
  size_t rows() const { return m_; }

 private:
  void allocate();
  QpResult finish(QpResult r);
  bool feasibleHere();
  bool holds() const;
  double rowOf(size_t i) const;
  double rowScale(size_t i) const;
  QpResult phaseOne();
  void gradient();
  double h(size_t i, size_t j) const;
  double a(size_t i, size_t j) const;
  bool factor();
  bool refactor();
  bool append(size_t j);
  bool factorVertex();
  void vertexSolve();
  double entry(size_t p, size_t q) const;
  void kktSolve();
  QpResult iterate();
  bool solvedFinite() const;
  double multiplierTolerance() const;
  void curvatureAlong(long extra, double& curvature, double& norm2);
  double rowChange(size_t i, long extra) const;
  double step(double tmax, long extra);
  bool joinable();
  double ratio(long extra, double tmax);
  double rowWeight(size_t i) const;
  void move(double alpha, long extra);

  size_t n_, m_;
  std::vector<double> x_;
  std::vector<int8_t> vstate_, rstate_;
  std::vector<double> sign_, g_, rowValue_, lo_, hi_, cost_;
  std::vector<size_t> free_, work_;
  size_t nf_ = 0, nw_ = 0;
  // the KKT matrix's LU (stride ld_) over the items ord_ (a variable j, or a row i as n + m + i): the free
  // variables and working rows as factor() found them, then the variables appended one at a time since
  // (pos_: an item's place, npos when not in it); kktSolve maps nf_ + nw_ values through it
  std::vector<double> K_;
  std::vector<size_t> perm_, ord_, pos_;
  std::vector<double> col_, row_, buf_, out_;
  size_t ld_ = 0, fs_ = 0, fnf_ = 0, fnw_ = 0;
  double big_ = 0;
  bool factored_ = false;
  // factor() found a vertex whose KKT LU it refused: A_F alone factored (factorVertex), kktSolve solves through it
  bool vertex_ = false;
  std::vector<double> V_;
  std::vector<size_t> vperm_;
  std::vector<double> vscale_;
  std::vector<double> rhs_, sol_, dir_, hd_;
  bool warm_ = false, hasH_ = false;
  QpProblem p_;
  double iterations_ = 0;
  double scaleH_ = 0;
  /// max |cost_j| over the assets (multiplierTolerance), set with cost_
  double costScale_ = 0;
  // what ratio() found in the way: a variable or row (-1: none), and the state it joins the working set in
  long block_ = -1;
  bool blockRow_ = false;
  int8_t blockState_ = 0;
  // the constraints this step's ratio test passes over (joinable() refused them): a variable j at j, a row
  // i at n + m + i
  std::vector<uint8_t> passed_;
  std::vector<size_t> passedList_;
  size_t npassed_ = 0;
  // factor() already ran for the working set now set (joinable()'s trial): the next call keeps it
  bool ready_ = false;
  // the free variables and working rows kept over joinable()'s trial
  std::vector<size_t> trialFree_, trialWork_;
};

/// LU with partial pivoting of the s x s row-major K (rows ld apart) in place (perm: the row order);
/// false when a pivot is below 1e-14 of K's largest entry.
bool luFactor(double* K, size_t s, size_t ld, size_t* perm);
inline bool luFactor(double* K, size_t s, size_t* perm) { return luFactor(K, s, s, perm); }
/// Solves the factored system for b into out.
void luSolve(const double* LU, size_t s, size_t ld, const size_t* perm, const double* b, double* out);
inline void luSolve(const double* LU, size_t s, const size_t* perm, const double* b, double* out) { luSolve(LU, s, s, perm, b, out); }
/// Solves the factored system's transpose (A' out = b, where luFactor made PA = LU; rows s apart) into out,
/// b used as the scratch.
void luSolveTransposed(const double* LU, size_t s, const size_t* perm, double* b, double* out);

}  // namespace kernelbus::portfolio
