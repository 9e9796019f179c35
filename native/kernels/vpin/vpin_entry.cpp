// See vpin_entry.hpp. Each entry checks what its binding function used to check, in the same words:
// the parameters (faults formatted from the descriptor the registration names), then each length.
#include "vpin_entry.hpp"

#include <string>

#include "classify.hpp"

namespace kernelbus::vpin::entry {

namespace {

/// `at` (a column of n values) as long as the first argument, `first`.
Outcome requireAs(int at, In column, size_t n, const char* first) {
  const std::string rule = std::string("as ") + first;
  return requireLength(at, column.length, n, rule.c_str());
}

/// The trades' price and volume (arguments 1 and 2) as long as their ts.
Outcome requireTrades(In ts, In price, In volume) {
  if (Outcome o = requireAs(1, price, ts.length, "ts"); !o.ok()) return o;
  return requireAs(2, volume, ts.length, "ts");
}

}  // namespace

Outcome frameColumns(int at, Bytes columns, size_t rows, FrameColumns& out) {
  if (rows > columns.length / 24 || columns.length != 24 * rows) {
    return ArgFault{at, -1, "24 bytes a row (" + std::to_string(rows) + " rows)", std::to_string(columns.length) + " bytes"};
  }
  const unsigned char* b = columns.data;
  out = FrameColumns{Doubles::fromBytes(b), Doubles::fromBytes(b + 8 * rows), Doubles::fromBytes(b + 16 * rows)};
  return Outcome{};
}

Outcome tickRule(In price, Int8Out out) {
  if (Outcome o = requireLength(1, out, price.length); !o.ok()) return o;
  return vpin::tickRule(price.data, price.length, out.data);
}

Outcome classifyTrades(In ts, In price, In bid, In ask, Packed params, Int8Out out) {
  classify::Params p;
  if (Status s = classify::unpack(params, p); !s.ok()) return s;
  if (Outcome o = requireAs(1, price, ts.length, "ts"); !o.ok()) return o;
  if (Outcome o = requireAs(2, bid, ts.length, "ts"); !o.ok()) return o;
  if (Outcome o = requireAs(3, ask, ts.length, "ts"); !o.ok()) return o;
  if (Outcome o = requireLength(5, out, ts.length); !o.ok()) return o;
  return classify::classifyTrades(ts.data, price.data, bid.data, ask.data, ts.length, p, out.data);
}

Outcome classifyQuotes(In ts, In price, In quoteTs, In quoteBid, In quoteAsk, Packed params, Int8Out out) {
  classify::Params p;
  if (Status s = classify::unpack(params, p); !s.ok()) return s;
  if (Outcome o = requireAs(1, price, ts.length, "ts"); !o.ok()) return o;
  if (Outcome o = requireAs(3, quoteBid, quoteTs.length, "quoteTs"); !o.ok()) return o;
  if (Outcome o = requireAs(4, quoteAsk, quoteTs.length, "quoteTs"); !o.ok()) return o;
  if (Outcome o = requireLength(6, out, ts.length); !o.ok()) return o;
  return classify::classifyQuotes(ts.data, price.data, ts.length, quoteTs.data, quoteBid.data, quoteAsk.data, quoteTs.length, p, out.data);
}

Outcome requireBars(In open, In close, In volume, Out out) {
  if (Outcome o = requireAs(1, close, open.length, "open"); !o.ok()) return o;
  if (Outcome o = requireAs(2, volume, open.length, "open"); !o.ok()) return o;
  return requireLength(4, out, open.length);
}

Outcome TimeBars::count(In ts, In price, In volume, double barMs) {
  if (!(barMs > 0)) return Status{Fault::ParamInvalid, 0, barMs, 0};  // timeBars' one parameter
  if (Outcome o = requireTrades(ts, price, volume); !o.ok()) return o;
  barMs_ = barMs;
  return vpin::timeBars(ts.data, price.data, volume.data, ts.length, barMs, bars_);
}

void TimeBars::fill(Columns out) const {
  writeTimeBars(bars_, barMs_, BarColumns{out.data[0], out.data[1], out.data[2], out.data[3], out.data[4]});
}

Outcome Vpin::count(In ts, In price, In volume, Packed params, Optional<Int8In> labels) {
  Params p;
  if (Status s = unpackParams(params.data, params.length, p); !s.ok()) return s;
  if (Outcome o = requireTrades(ts, price, volume); !o.ok()) return o;
  return prepare(ts.data, price.data, volume.data, ts.length, p, labels, 4);
}

Outcome Vpin::prepare(Doubles ts, Doubles price, Doubles volume, size_t n, const Params& p, Optional<Int8In> labels, int labelsAt) {
  // the labels classifier (2) reads a label per trade, the others none
  if (p.classifier == 2 && !labels.given) return ArgFault{labelsAt, -1, "an Int8Array of a label per trade (classifier 2: labels)", "none"};
  if (p.classifier != 2 && labels.given) return ArgFault{labelsAt, -1, "none (only the labels classifier reads labels)", "an Int8Array"};
  if (labels.given) {
    if (Outcome o = requireLength(labelsAt, labels.value.length, n, "as the input"); !o.ok()) return o;
  }
  stream_ = std::make_unique<VpinStream>(p, p.sigmaParam);
  stream_->borrowSpare();
  return prepareVpin(*stream_, ts, price, volume, n, p, rows_, labels.given ? labels.value.data : nullptr);
}

void Vpin::fill(Columns out) {
  BucketColumns columns{};
  for (size_t k = 0; k < kBucketColumnCount; k++) columns.*kBucketColumnFields[k] = out.data[k];
  stream_->commit(columns);
  stream_->returnSpare();
}

Outcome VpinBytes::count(Bytes columns, size_t rows, Packed params, Optional<Int8In> labels) {
  Params p;
  if (Status s = unpackParams(params.data, params.length, p); !s.ok()) return s;
  FrameColumns f;
  if (Outcome o = frameColumns(0, columns, rows, f); !o.ok()) return o;
  return prepare(f.ts, f.price, f.volume, rows, p, labels, 3);
}

}  // namespace kernelbus::vpin::entry
