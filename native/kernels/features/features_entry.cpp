// See features_entry.hpp: the parameters checked first (faults formatted from the descriptor the
// registration names), then the columns' lengths, then the kernel's pass.
#include "features_entry.hpp"

namespace kernelbus::features::entry {

namespace {

/// The trades' price and volume (arguments 1 and 2) as long as their ts.
Outcome requireTrades(In ts, In price, In volume) {
  if (Outcome o = requireLength(1, price.length, ts.length, "as ts"); !o.ok()) return o;
  return requireLength(2, volume.length, ts.length, "as ts");
}

}  // namespace

void BarsOut::fill(Columns out) const {
  for (size_t r = 0; r < rows_.size(); r++) {
    for (size_t k = 0; k < kBarColumnCount; k++) out.data[k][r] = rows_[r][k];
  }
}

Outcome Bars::count(In ts, In price, In volume, Packed params) {
  BarsParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  if (Outcome o = requireTrades(ts, price, volume); !o.ok()) return o;
  return bars(ts.data, price.data, volume.data, ts.length, p, rows_);
}

Outcome ImbalanceBars::count(In ts, In price, In volume, Packed params) {
  ImbalanceBarsParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  if (Outcome o = requireTrades(ts, price, volume); !o.ok()) return o;
  return imbalanceBars(ts.data, price.data, volume.data, ts.length, p, rows_);
}

Outcome RunBars::count(In ts, In price, In volume, Packed params) {
  RunBarsParams p;
  if (Status s = unpack(params, p); !s.ok()) return s;
  if (Outcome o = requireTrades(ts, price, volume); !o.ok()) return o;
  return runBars(ts.data, price.data, volume.data, ts.length, p, rows_);
}

}  // namespace kernelbus::features::entry
