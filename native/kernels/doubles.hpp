// A read-only column of float64 values at any byte alignment.
//
// Frames read from a socket (Redis) hold their columns at whatever offset the reply parser handed out:
// usually not a multiple of 8, where a `const double*` would be undefined behaviour (and UBSan says
// so). Doubles loads each value through memcpy, which compilers turn into one plain load on x86-64
// and arm64 (both load unaligned doubles at full speed), so the kernels read such columns in place,
// without a copy, and an aligned Float64Array costs nothing more. Values are in the host's byte order
// (little-endian: the wire format's, checked by the TS layer before it hands bytes here).
#pragma once

#include <cstddef>
#include <cstring>

namespace kernelbus {

class Doubles {
 public:
  /// An aligned array (a Float64Array's data).
  Doubles(const double* values) : bytes_(reinterpret_cast<const unsigned char*>(values)) {}  // NOLINT: implicit by design
  /// `n` values stored at `bytes`, any alignment.
  static Doubles fromBytes(const void* bytes) { return Doubles(static_cast<const unsigned char*>(bytes)); }

  double operator[](size_t i) const {
    double v;
    std::memcpy(&v, bytes_ + 8 * i, sizeof v);
    return v;
  }
  /// The column from value `i` on (or before: `- 1`).
  Doubles operator+(size_t i) const { return Doubles(bytes_ + 8 * i); }
  Doubles operator-(size_t i) const { return Doubles(bytes_ - 8 * i); }
  /// The address of value 0 (for vector loads through memcpy).
  const unsigned char* bytes() const { return bytes_; }

 private:
  explicit Doubles(const unsigned char* bytes) : bytes_(bytes) {}
  const unsigned char* bytes_;
};

}  // namespace kernelbus
