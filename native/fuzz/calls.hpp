// The kernel calls of the fuzz targets, in one place: when the C++ kernel API changes, this file
// changes and the targets do not. Each call makes the kernel calls the binding makes (count, allocate
// exactly, write) and returns the Status with the rows as plain vectors.
//
// Output columns are allocated at exactly the counted size, so a kernel that writes past the rows it
// counted is an ASan heap-buffer-overflow; they are pre-filled with kUnwrittenBits, so one that writes
// fewer rows traps.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "input.hpp"
#include "invariants.hpp"
#include "vpin/vpin.hpp"

namespace kernelbus::fuzz {

/// `rows` values no input holds and no kernel computes (kUnwrittenBits).
inline std::vector<double> unwritten(size_t rows) {
  double x;
  std::memcpy(&x, &kUnwrittenBits, sizeof x);
  return std::vector<double>(rows, x);
}

inline bool isUnwritten(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits == kUnwrittenBits;
}

/// Appends `column` to `out` after checking that the kernel wrote every row.
inline void append(std::vector<double>& out, const std::vector<double>& column) {
  for (double x : column) require(!isUnwritten(x));
  out.insert(out.end(), column.begin(), column.end());
}

/// The packed parameter vector of the binding (order of vpin::kParamNames).
inline std::vector<double> packParams(const vpin::Params& p) {
  return {p.bucketVolume,
          static_cast<double>(p.window),
          p.barMs,
          static_cast<double>(p.classifier),
          static_cast<double>(p.cdfWindow),
          static_cast<double>(p.priceChange),
          static_cast<double>(p.sigmaKind),
          p.sigmaParam,
          static_cast<double>(p.distribution),
          p.nu};
}

/// vpin::unpackParams() (all kParamCount values) or vpin::unpackClassifyParams() (the last
/// kClassifyParamCount).
inline vpin::Status unpackParams(const std::vector<double>& packed, bool classifyOnly, vpin::Params& out) {
  return classifyOnly ? vpin::unpackClassifyParams(packed.data(), packed.size(), out)
                      : vpin::unpackParams(packed.data(), packed.size(), out);
}

/// vpin::timeBars() + vpin::writeTimeBars().
inline vpin::Status timeBars(const Trades& t, double barMs, TimeBars& out) {
  vpin::Bars bars;
  const vpin::Status s = vpin::timeBars(t.ts.data(), t.price.data(), t.volume.data(), t.size(), barMs, bars);
  if (!s.ok()) return s;
  std::vector<double> start = unwritten(bars.size()), open = start, close = start, volume = start, count = start;
  vpin::writeTimeBars(bars, barMs, {start.data(), open.data(), close.data(), volume.data(), count.data()});
  append(out.start, start), append(out.open, open), append(out.close, close);
  append(out.volume, volume), append(out.count, count);
  return s;
}

/// Writes the rows a successful prepare counted: VpinStream::commit() into exact columns.
inline void commitRows(vpin::VpinStream& stream, size_t rows, Buckets& out) {
  std::vector<double> startTs = unwritten(rows), endTs = startTs, duration = startTs, buy = startTs, sell = startTs, vpin = startTs,
                      cdf = startTs;
  stream.commit({startTs.data(), endTs.data(), duration.data(), buy.data(), sell.data(), vpin.data(), cdf.data()});
  append(out.startTs, startTs), append(out.endTs, endTs), append(out.duration, duration);
  append(out.buyVolume, buy), append(out.sellVolume, sell);
  append(out.vpin, vpin), append(out.cdf, cdf);
}

/// vpin(): VpinStream(params, sigmaParam) + vpin::prepareVpin() + VpinStream::commit(); `labels` (one
/// per trade) under classifier 2.
inline vpin::Status vpin(const Trades& t, const vpin::Params& p, Buckets& out, const int8_t* labels = nullptr) {
  vpin::VpinStream stream(p, p.sigmaParam);
  size_t rows = 0;
  const vpin::Status s = vpin::prepareVpin(stream, t.ts.data(), t.price.data(), t.volume.data(), t.size(), p, rows, labels);
  if (s.ok()) commitRows(stream, rows, out);
  return s;
}

/// vpin() over the trades laid out as a frame's body read from a socket (the binding's vpinBytes()):
/// ts | price | volume back to back at byte `offset` (1..7: not 8-byte aligned) of an exact buffer,
/// read in place through Doubles.
inline vpin::Status vpinFromBytes(const Trades& t, const vpin::Params& p, size_t offset, Buckets& out, const int8_t* labels = nullptr) {
  const size_t n = t.size();
  std::vector<unsigned char> frame(offset + 24 * n);
  unsigned char* body = frame.data() + offset;
  if (n > 0) {
    std::memcpy(body, t.ts.data(), 8 * n);
    std::memcpy(body + 8 * n, t.price.data(), 8 * n);
    std::memcpy(body + 16 * n, t.volume.data(), 8 * n);
  }
  vpin::VpinStream stream(p, p.sigmaParam);
  size_t rows = 0;
  const vpin::Status s = vpin::prepareVpin(stream, Doubles::fromBytes(body), Doubles::fromBytes(body + 8 * n),
                                           Doubles::fromBytes(body + 16 * n), n, p, rows, labels);
  if (s.ok()) commitRows(stream, rows, out);
  return s;
}

/// A VPIN stream as the binding drives one (NativeVpinStream).
class Stream {
 public:
  explicit Stream(const vpin::Params& p) : stream_(p, p.sigmaParam) {}

  /// VpinStream::prepare(closeAtEnd = false) + commit().
  vpin::Status update(const double* ts, const double* price, const double* volume, size_t n, Buckets& out) {
    return pour(ts, price, volume, n, false, out);
  }
  /// VpinStream::prepare(no trades, closeAtEnd = true) + commit().
  vpin::Status flush(Buckets& out) { return pour(nullptr, nullptr, nullptr, 0, true, out); }
  /// VpinStream::stateSize() + exportState().
  std::vector<double> exportState() const {
    std::vector<double> state = unwritten(stream_.stateSize());
    stream_.exportState(state.data());
    for (double x : state) require(!isUnwritten(x));
    return state;
  }
  /// VpinStream::importState().
  vpin::Status importState(const std::vector<double>& state) { return stream_.importState(state.data(), state.size()); }
  /// VpinStream::bucketCount().
  double bucketCount() const { return stream_.bucketCount(); }

 private:
  vpin::Status pour(const double* ts, const double* price, const double* volume, size_t n, bool closeAtEnd, Buckets& out) {
    size_t rows = 0;
    const vpin::Status s = stream_.prepare(ts, price, volume, n, closeAtEnd, rows);
    if (s.ok()) commitRows(stream_, rows, out);
    return s;
  }

  vpin::VpinStream stream_;
};

}  // namespace kernelbus::fuzz
