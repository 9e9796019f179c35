// The parameter blocks of the shaders (shaders/*.metal), shared with the host code that fills them
// (native/metal/): 4-byte fields only (unsigned int, float), so that the layout is the same in the
// Metal Shading Language and in C++. Counts are 32-bit: the host splits larger work into dispatches
// whose grids and buffers stay below 2^32 elements.
#ifndef KB_TYPES_H
#define KB_TYPES_H

/// kb_classify: `count` standardized price changes; distribution 0 (normal) or 1 (Student t with nu
/// degrees of freedom; logABeta = ln(a B(a, 1/2)), a = nu / 2, computed on the host in double precision:
/// of order 1 for every nu, where ln B alone grows like -ln a and a float of it would lose its digits).
struct KbClassifyParams {
  unsigned int count;
  unsigned int distribution;
  float nu;
  float logABeta;
};

/// kb_quadratic_forms: `portfolios` weight rows of n values over an n x n covariance.
struct KbQuadraticParams {
  unsigned int portfolios;
  unsigned int n;
};

/// kb_normals: the n standard normals of `paths` consecutive paths, the first one path0 (two words:
/// path0 = path0High 2^32 + path0Low), under the key (key0, key1) = the seed's words.
struct KbNormalsParams {
  unsigned int paths;
  unsigned int n;
  unsigned int key0;
  unsigned int key1;
  unsigned int path0Low;
  unsigned int path0High;
};

/// kb_path_dots (b: portfolios x n) and kb_scenarios (L: n x n): over `paths` rows of n normals.
struct KbPathParams {
  unsigned int paths;
  unsigned int n;
  unsigned int portfolios;
};

/// kb_gram: per date, the styles' normal equations over `assets` (padded: unused assets weigh 0).
struct KbGramParams {
  unsigned int dates;
  unsigned int assets;
  unsigned int styles;
};

#endif
