// The VPIN family's entries (entry.hpp; the descriptors are src/kernels/vpin/vpin-kernels.ts): tickRule,
// classifyTrades, classifyQuotes and bulkClassify fill the caller's array; timeBars, vpin and vpinBytes
// are counted entries (entry.hpp: their rows found by a first pass, then written into the columns the
// binding allocates). PIN's entries are pin_entry.hpp's; the stream (VpinStream) has a binding class
// of its own (native/binding/vpin_binding.cc).
#pragma once

#include <cstddef>
#include <memory>

#include "entry.hpp"
#include "vpin.hpp"

namespace kernelbus::vpin::entry {

/// A trade frame's columns, read in place: `rows` little-endian float64 values of ts, then of price,
/// then of volume (24 bytes a row, at any byte offset: a frame's body as received from a socket).
struct FrameColumns {
  Doubles ts = nullptr, price = nullptr, volume = nullptr;
};
/// `columns` (argument `at`) as a frame of `rows` rows into `out`, else the ArgFault naming its length.
Outcome frameColumns(int at, Bytes columns, size_t rows, FrameColumns& out);

/// tickRule(price, out): the tick rule's signs (+1, -1, 0) into out (an Int8Array as long as price).
Outcome tickRule(In price, Int8Out out);

/// classifyTrades(ts, price, bid, ask, params, out): a label per trade into out (classify.hpp), from the
/// quote prevailing at each trade; params in CLASSIFY_TRADES_PARAMS order.
Outcome classifyTrades(In ts, In price, In bid, In ask, Packed params, Int8Out out);
/// classifyQuotes(ts, price, quoteTs, quoteBid, quoteAsk, params, out): classifyTrades with the quotes
/// from a stream of their own (registered under classifyTrades' descriptor: its parameters and faults).
Outcome classifyQuotes(In ts, In price, In quoteTs, In quoteBid, In quoteAsk, Packed params, Int8Out out);

/// A bulk classification kernel: vpin::bulkClassify, or the Metal backend's (native/metal/host.hpp).
using BulkKernel = Status (*)(const double*, const double*, const double*, size_t, const Params&, double*);
/// The bars (open, close, volume of one length) and the output, as long.
Outcome requireBars(In open, In close, In volume, Out out);

/// bulkClassify(open, close, volume, params, out): each bar's buy volume into out, by `Kernel`; its
/// parameters CLASSIFY_PARAMS (unpackClassifyParams(): faults at their positions there).
template <BulkKernel Kernel = vpin::bulkClassify>
Outcome bulkClassify(In open, In close, In volume, Packed params, Out out) {
  Params p;
  if (Status s = unpackClassifyParams(params.data, params.length, p); !s.ok()) return s;
  if (Outcome o = requireBars(open, close, volume, out); !o.ok()) return o;
  return Kernel(open.data, close.data, volume.data, open.length, p, out.data);
}

/// timeBars(ts, price, volume, barMs) -> { start, open, close, volume, count }: the non-empty bars.
class TimeBars {
 public:
  static constexpr const char* kColumns[] = {"start", "open", "close", "volume", "count"};
  Outcome count(In ts, In price, In volume, double barMs);
  size_t rows() const { return bars_.size(); }
  void fill(Columns out) const;

 private:
  double barMs_ = 0;
  Bars bars_;
};

/// vpin(ts, price, volume, params[, labels]) -> the bucket columns (kBucketColumnNames): params in
/// VPIN_PARAMS order; labels (an Int8Array, a label per trade) under the labels classifier only.
class Vpin {
 public:
  static constexpr const auto& kColumns = kBucketColumnNames;
  Outcome count(In ts, In price, In volume, Packed params, Optional<Int8In> labels);
  size_t rows() const { return rows_; }
  void fill(Columns out);

 protected:
  /// The first pass over n trades (their columns read in place); the labels are argument `labelsAt`.
  Outcome prepare(Doubles ts, Doubles price, Doubles volume, size_t n, const Params& p, Optional<Int8In> labels, int labelsAt);

 private:
  std::unique_ptr<VpinStream> stream_;
  size_t rows_ = 0;
};

/// vpinBytes(columns, rows, params[, labels]) -> the bucket columns: vpin() of a trade frame's body,
/// `rows` little-endian float64 values of ts, then of price, then of volume, at any byte offset (read
/// in place). Registered under vpin's descriptor.
class VpinBytes : public Vpin {
 public:
  Outcome count(Bytes columns, size_t rows, Packed params, Optional<Int8In> labels);
};

}  // namespace kernelbus::vpin::entry
