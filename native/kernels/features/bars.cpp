// Standard bars (features.hpp): the reference's referenceBars (src/backends/reference/features/features.ts).
#include "features.hpp"

namespace kernelbus::features {

Status bars(Doubles ts, Doubles price, Doubles volume, size_t n, const BarsParams& p, std::vector<BarRow>& out) {
  BarBuilder b;
  for (size_t i = 0; i < n; i++) {
    int sign = 0;
    if (Status s = b.add(i, ts[i], price[i], volume[i], sign); !s.ok()) return s;
    const double sum = p.by == 0 ? b.ticks : p.by == 1 ? b.volume : b.dollarValue;
    if (sum >= p.threshold) b.close(i, ts[i], price[i]);
  }
  out = std::move(b.rows);
  return Status{};
}

}  // namespace kernelbus::features
