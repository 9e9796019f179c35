/**
 * Dense symmetric linear algebra the portfolio kernels share: the eigen-decomposition of a symmetric
 * matrix (Householder reduction to tridiagonal form, then the implicit QL iteration with Wilkinson
 * shifts: EISPACK's tred2 and tql2, as JAMA writes them) and the Cholesky test numpy's
 * `linalg.cholesky` makes. native/kernels/eigen.hpp is the same code, operation for operation, so the
 * two backends round alike.
 */

/** sqrt(a^2 + b^2) without overflow, written out (Math.hypot and std::hypot may round differently). */
export function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const r = y / x;
    return x * Math.sqrt(1 + r * r);
  }
  if (y === 0) return 0;
  const r = x / y;
  return y * Math.sqrt(1 + r * r);
}

/**
 * The eigenvalues (ascending) and eigenvectors of the symmetric n x n matrix whose lower triangle `a`
 * holds (row-major; the upper triangle is not read, as numpy's `eigh` with UPLO='L'): `values[k]`
 * and the k-th column of `vectors` (row-major n x n, vectors[i * n + k]). Returns false when the QL
 * iteration does not converge in 30 n sweeps (a NaN in the input).
 */
export function symmetricEigen(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array): boolean {
  const V = vectors;
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) V[i * n + j] = V[j * n + i] = a[i * n + j];
  const e = new Float64Array(n);
  tred2(V, values, e, n);
  // tql2 rotates pairs of eigenvectors: held as rows (the transpose), so that a rotation reads memory in order
  const W = transposed(V, n);
  const ok = tql2(W, values, e, n);
  V.set(transposed(W, n));
  return ok;
}

/** The transpose of a row-major n x n matrix. */
function transposed(a: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
  return t;
}

/** Householder reduction of V (symmetric, full) to tridiagonal d (diagonal), e (sub-diagonal); V the transform. */
function tred2(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  if (n === 0) return;
  for (let j = 0; j < n; j++) d[j] = V[(n - 1) * n + j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
        V[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[j * n + i] = f;
        g = e[j] + V[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[k * n + j] * d[k];
          e[k] += V[k * n + j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) V[k * n + j] -= f * e[k] + g * d[k];
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    V[(n - 1) * n + i] = V[i * n + i];
    V[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k * n + i + 1] * V[k * n + j];
        for (let k = 0; k <= i; k++) V[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) V[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[(n - 1) * n + j];
    V[(n - 1) * n + j] = 0;
  }
  V[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/**
 * Implicit QL on the tridiagonal (d, e), accumulating into W (the transform, transposed: eigenvector k
 * is row k); eigenvalues sorted ascending with their vectors.
 */
function tql2(W: Float64Array, d: Float64Array, e: Float64Array, n: number): boolean {
  if (n === 0) return true;
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m === n) return false; // a NaN: no negligible sub-diagonal element
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 30 * n + 30) return false;
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const wi = i * n;
          const wi1 = wi + n;
          for (let k = 0; k < n; k++) {
            h = W[wi1 + k];
            W[wi1 + k] = s * W[wi + k] + c * h;
            W[wi + k] = c * W[wi + k] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  // Selection sort of the eigenvalues (ascending) with their vectors.
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++) {
      if (d[j] < p) {
        k = j;
        p = d[j];
      }
    }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      for (let j = 0; j < n; j++) {
        const t = W[i * n + j];
        W[i * n + j] = W[k * n + j];
        W[k * n + j] = t;
      }
    }
  }
  return true;
}

/**
 * Whether numpy's `linalg.cholesky(a + shift I)` succeeds: the lower-triangular factorization of the
 * matrix whose lower triangle `a` holds (row-major n x n), every pivot finite and > 0 (LAPACK potrf's
 * test). PyPortfolioOpt's `_is_positive_semidefinite` is this with shift 1e-16.
 */
export function choleskySucceeds(a: Float64Array, n: number, shift: number): boolean {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) L[i * n + j] = a[i * n + j] + (i === j ? shift : 0);
  for (let k = 0; k < n; k++) {
    const pivot = L[k * n + k];
    if (!(pivot > 0 && pivot < Infinity)) return false;
    const lkk = Math.sqrt(pivot);
    L[k * n + k] = lkk;
    for (let i = k + 1; i < n; i++) L[i * n + k] /= lkk;
    for (let i = k + 1; i < n; i++) {
      const lik = L[i * n + k];
      for (let j = k + 1; j <= i; j++) L[i * n + j] -= lik * L[j * n + k];
    }
  }
  return true;
}
