// VpinStream's state vector (vpin.hpp: stateSize(), exportState(), importState()): the layout of
// exportVpinState() in src/backends/reference/vpin/vpin.ts, so that snapshots move between backends.
#include <algorithm>
#include <cfloat>
#include <cmath>

#include "vpin.hpp"
#include "vpin_steps.hpp"

namespace kernelbus::vpin {

size_t VpinStream::stateSize(bool history) const {
  return kStateHeader + dpWindow_.size() + imbalances_.size() + (history ? history_.size() : 0);
}

// exportVpinState(): layout documented there.
void VpinStream::exportState(double* s, bool history) const {
  const TradeState& t = trades_;
  const double head[kStateHeader] = {
      t.hasBar ? 1.0 : 0.0,
      t.hasBar ? t.bar.index : 0,
      t.hasBar ? t.bar.open : 0,
      t.hasBar ? t.bar.close : 0,
      t.hasBar ? t.bar.volume : 0,
      t.hasBar ? t.bar.buy : 0,
      t.hasBar ? t.bar.count : 0,
      t.lastTs,
      t.closedBarIndex,
      t.lastPrice,
      t.lastSign,
      prevClose_,
      ewmaVar_,
      filled_,
      bucketBuy_,
      bucketCount_,
      static_cast<double>(p_.cdfWindow),
      static_cast<double>(dpWindow_.size()),
      static_cast<double>(imbalances_.size()),
      history ? static_cast<double>(history_.size()) : 0,
      t.hasBar ? t.bar.firstTs : 0,
      filled_ > 0 ? bucketStart_ : 0,
  };
  s = std::copy(head, head + kStateHeader, s);
  auto appendRing = [&s](const std::vector<double>& ring, size_t head, size_t capacity) {
    const size_t count = ring.size();
    const size_t start = count < capacity ? 0 : head;
    for (size_t i = 0; i < count; i++) *s++ = ring[(start + i) % count];
  };
  appendRing(dpWindow_, dpHead_, static_cast<size_t>(p_.sigmaKind == kSigmaRolling ? p_.sigmaParam : 0));
  appendRing(imbalances_, imbHead_, static_cast<size_t>(p_.window - 1));
  if (!history) return;
  if (p_.cdfWindow > 0) {
    appendRing(cdfRing_, cdfHead_, static_cast<size_t>(p_.cdfWindow));  // oldest first
  } else {
    history_.copyTo(s);  // ascending
  }
}

// importVpinState(): same checks in the same order.
Status VpinStream::importState(const double* s, size_t n) {
  auto bad = [&](size_t i) { return fault(Fault::StateInvalid, double(i), i < n ? s[i] : NAN); };
  if (n < kStateHeader) return fault(Fault::StateInvalid, double(n), NAN);
  auto isCount = [](double x) { return x >= 0 && x <= 9007199254740992.0 && std::floor(x) == x; };
  for (size_t i : {0, 6, 15, 17, 18, 19}) {
    if (!isCount(s[i])) return bad(i);
  }
  if (s[0] > 1) return bad(0);
  if (!(s[4] >= 0 && s[4] <= DBL_MAX)) return bad(4);              // the open bar's volume
  if (!(s[10] == -1 || s[10] == 0 || s[10] == 1)) return bad(10);  // the carried tick sign
  const double l1 = s[17], l2 = s[18], l3 = s[19];
  const double maxWindow = p_.sigmaKind == kSigmaRolling ? p_.sigmaParam : 0;
  if (l1 > maxWindow) return bad(17);
  if (l2 > static_cast<double>(p_.window - 1)) return bad(18);
  if (l3 > s[15]) return bad(19);
  if (s[16] != static_cast<double>(p_.cdfWindow)) return bad(16);  // a snapshot of a stream with this cdfWindow
  if (p_.cdfWindow > 0 && l3 > s[16]) return bad(19);
  if (static_cast<double>(n) != static_cast<double>(kStateHeader) + l1 + l2 + l3) return bad(19);
  const size_t n1 = static_cast<size_t>(l1), n2 = static_cast<size_t>(l2), n3 = static_cast<size_t>(l3);
  const size_t h = kStateHeader + n1 + n2;
  for (size_t i = h + 1; i < n; i++) {
    if (p_.cdfWindow > 0 ? std::isnan(s[i]) : !(s[i - 1] <= s[i])) return bad(i);  // windowed: oldest first
  }
  if (p_.cdfWindow > 0 && n > h && std::isnan(s[h])) return bad(h);
  if (!(s[13] >= 0 && s[13] < p_.bucketVolume)) return bad(13);
  // the open bar's and the open bucket's first trades: finite and at or before the last trade, or NaN (unknown)
  auto firstTrade = [&](double x) { return std::isnan(x) || (isFiniteNumber(x) && x <= s[7]); };
  if (s[0] == 1 && !firstTrade(s[20])) return bad(20);
  if (s[13] > 0 && !firstTrade(s[21])) return bad(21);
  trades_.hasBar = s[0] == 1;
  trades_.bar = Bar{s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[20]};
  trades_.lastTs = s[7];
  trades_.closedBarIndex = s[8];
  trades_.lastPrice = s[9];
  trades_.lastSign = s[10];
  prevClose_ = s[11];
  ewmaVar_ = s[12];
  filled_ = s[13];
  bucketBuy_ = s[14];
  bucketCount_ = s[15];
  bucketStart_ = s[21];
  dpWindow_.assign(s + kStateHeader, s + kStateHeader + n1);
  dpHead_ = 0;
  imbalances_.assign(s + kStateHeader + n1, s + h);
  imbHead_ = 0;
  if (p_.cdfWindow > 0) {
    cdfRing_.assign(s + h, s + h + n3);
    cdfHead_ = 0;
    std::vector<double> sorted(cdfRing_);
    std::sort(sorted.begin(), sorted.end());
    history_.assign(sorted.data(), n3);
  } else {
    history_.assign(s + h, n3);
  }
  return Status{};
}

}  // namespace kernelbus::vpin
