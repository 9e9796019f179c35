// The small shim that lets g++/clang++ compile the .metal files of shaders/ as C++ (the CPU harness,
// native/metal/shader_harness.cpp), so that the shaders' arithmetic is parity-tested on machines
// without an Apple GPU. It maps exactly the subset of the Metal Shading Language the shaders use:
// - address-space qualifiers: device, thread, threadgroup (empty), constant (const);
// - the `kernel` function qualifier (empty); the attributes [[buffer(n)]] and
//   [[thread_position_in_grid]] are standard C++ attribute syntax that the compiler ignores (the
//   harness disables -Wattributes / -Wunknown-attributes around the includes); the thread position is
//   an ordinary parameter the harness passes;
// - scalar and vector types: uint, float2, uint4 (members x, y, z, w; constructors from scalars);
// - metal:: functions: isnan, isinf, fabs, rint, ldexp, clz, mulhi, min, max, and the precise:: math
//   functions (sqrt, log, exp, sin, cos), which map to the C library's float functions (correctly
//   rounded or within an ulp or two, as Metal's precise variants are).
// Nothing here is Metal's: a shader that needs more adds it here, and the harness still compiles only
// what the GPU compiles (the same source; MSL is C++14 with these extensions).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#define kernel
#define device
#define thread
#define threadgroup
#define constant const

using uint = uint32_t;

struct float2 {
  float x, y;
  float2() : x(0), y(0) {}
  float2(float x_, float y_) : x(x_), y(y_) {}
};

struct uint4 {
  uint x, y, z, w;
  uint4() : x(0), y(0), z(0), w(0) {}
  uint4(uint x_, uint y_, uint z_, uint w_) : x(x_), y(y_), z(z_), w(w_) {}
};

namespace metal {

inline bool isnan(float x) { return std::isnan(x); }
inline bool isinf(float x) { return std::isinf(x); }
inline float fabs(float x) { return std::fabs(x); }
/// Round to the nearest integer, ties to even (the default rounding mode, as on the GPU).
inline float rint(float x) { return std::rint(x); }
inline float ldexp(float x, int k) { return std::ldexp(x, k); }
/// Leading zero bits (32 for 0).
inline uint clz(uint x) {
  uint n = 0;
  for (uint bit = 0x80000000u; bit != 0 && (x & bit) == 0; bit >>= 1) n++;
  return n;
}
/// High 32 bits of the 64-bit product.
inline uint mulhi(uint a, uint b) { return static_cast<uint>((static_cast<uint64_t>(a) * b) >> 32); }
template <typename T>
inline T min(T a, T b) { return b < a ? b : a; }
template <typename T>
inline T max(T a, T b) { return a < b ? b : a; }

namespace precise {
inline float sqrt(float x) { return std::sqrt(x); }
inline float log(float x) { return std::log(x); }
inline float exp(float x) { return std::exp(x); }
inline float sin(float x) { return std::sin(x); }
inline float cos(float x) { return std::cos(x); }
}  // namespace precise

}  // namespace metal

using namespace metal;
