// kernelbus' series kernels (native/kernels/indicators/series.hpp) against TA-Lib C, in one process
// (test-only, like driver.c; generate.sh compare builds it against build/libkernelbus_kernels.a).
// Each indicator's defaults on one random walk of 10^6 bars, outputs preallocated, the best of 15
// runs of the calling thread's CPU time (steadier than wall time on a shared machine), and the ratio
// kernelbus / TA-Lib (below 1: kernelbus is faster).
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <vector>

#include "indicators/series.hpp"
extern "C" {
#include "ta_libc.h"
}

using namespace kernelbus::indicators::series;

namespace {

double cpuMs() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

double best(const std::function<void()>& f) {
  f();
  double b = 1e300;
  for (int r = 0; r < 15; r++) {
    const double t0 = cpuMs();
    f();
    b = std::min(b, cpuMs() - t0);
  }
  return b;
}

}  // namespace

int main() {
  TA_Initialize();
  const int n = 1000000;
  std::vector<double> h(n), l(n), c(n), v(n), o1(n), o2(n), o3(n);
  unsigned seed = 51;
  auto rnd = [&] { return (seed = seed * 1103515245u + 12345u, (seed >> 8) / 16777216.0); };
  double x = 100;
  for (int i = 0; i < n; i++) {
    x *= 1 + 0.02 * (rnd() - 0.5);
    c[i] = std::round(x * 100) / 100;
    h[i] = c[i] * (1 + 0.01 * rnd());
    l[i] = c[i] * (1 - 0.01 * rnd());
    v[i] = std::round(1000 + 9000 * rnd());
  }
  const double *H = h.data(), *L = l.data(), *C = c.data(), *V = v.data();
  double *O1 = o1.data(), *O2 = o2.data(), *O3 = o3.data();
  int b, nb;
  const int e = n - 1;
  auto row = [&](const char* name, const std::function<void()>& ours, const std::function<void()>& ta) {
    const double a = best(ours), t = best(ta);
    printf("%-9s kernelbus %8.3f ms  TA-Lib %8.3f ms  ratio %.2f\n", name, a, t, a / t);
  };
  printf("10^6 bars, defaults, thread CPU time, best of 15\n");
  row(
      "sma", [&] { sma(C, n, 30, O1); }, [&] { TA_SMA(0, e, C, 30, &b, &nb, O1); });
  row(
      "ema", [&] { ema(C, n, 30, O1); }, [&] { TA_EMA(0, e, C, 30, &b, &nb, O1); });
  row(
      "wma", [&] { wma(C, n, 30, O1); }, [&] { TA_WMA(0, e, C, 30, &b, &nb, O1); });
  row(
      "dema", [&] { dema(C, n, 30, O1); }, [&] { TA_DEMA(0, e, C, 30, &b, &nb, O1); });
  row(
      "tema", [&] { tema(C, n, 30, O1); }, [&] { TA_TEMA(0, e, C, 30, &b, &nb, O1); });
  row(
      "trima", [&] { trima(C, n, 30, O1); }, [&] { TA_TRIMA(0, e, C, 30, &b, &nb, O1); });
  row(
      "kama", [&] { kama(C, n, 30, O1); }, [&] { TA_KAMA(0, e, C, 30, &b, &nb, O1); });
  row(
      "rsi", [&] { rsi(C, n, 14, O1); }, [&] { TA_RSI(0, e, C, 14, &b, &nb, O1); });
  row(
      "macd", [&] { macd(C, n, 12, 26, 9, O1, O2, O3); }, [&] { TA_MACD(0, e, C, 12, 26, 9, &b, &nb, O1, O2, O3); });
  row(
      "bbands", [&] { bbands(C, n, 5, 2, 2, 0, O1, O2, O3); }, [&] { TA_BBANDS(0, e, C, 5, 2, 2, TA_MAType_SMA, &b, &nb, O1, O2, O3); });
  row(
      "atr", [&] { atr(H, L, C, n, 14, O1); }, [&] { TA_ATR(0, e, H, L, C, 14, &b, &nb, O1); });
  row(
      "natr", [&] { natr(H, L, C, n, 14, O1); }, [&] { TA_NATR(0, e, H, L, C, 14, &b, &nb, O1); });
  row(
      "trange", [&] { trange(H, L, C, n, O1); }, [&] { TA_TRANGE(0, e, H, L, C, &b, &nb, O1); });
  row(
      "stoch", [&] { stoch(H, L, C, n, 5, 3, 0, 3, 0, O1, O2); },
      [&] { TA_STOCH(0, e, H, L, C, 5, 3, TA_MAType_SMA, 3, TA_MAType_SMA, &b, &nb, O1, O2); });
  row(
      "stochf", [&] { stochf(H, L, C, n, 5, 3, 0, O1, O2); }, [&] { TA_STOCHF(0, e, H, L, C, 5, 3, TA_MAType_SMA, &b, &nb, O1, O2); });
  row(
      "stochRsi", [&] { stochRsi(C, n, 14, 5, 3, 0, O1, O2); }, [&] { TA_STOCHRSI(0, e, C, 14, 5, 3, TA_MAType_SMA, &b, &nb, O1, O2); });
  row(
      "adx", [&] { adx(H, L, C, n, 14, O1); }, [&] { TA_ADX(0, e, H, L, C, 14, &b, &nb, O1); });
  row(
      "adxr", [&] { adxr(H, L, C, n, 14, O1); }, [&] { TA_ADXR(0, e, H, L, C, 14, &b, &nb, O1); });
  row(
      "plusDi", [&] { plusDi(H, L, C, n, 14, O1); }, [&] { TA_PLUS_DI(0, e, H, L, C, 14, &b, &nb, O1); });
  row(
      "minusDi", [&] { minusDi(H, L, C, n, 14, O1); }, [&] { TA_MINUS_DI(0, e, H, L, C, 14, &b, &nb, O1); });
  row(
      "cci", [&] { cci(H, L, C, n, 14, O1); }, [&] { TA_CCI(0, e, H, L, C, 14, &b, &nb, O1); });
  row(
      "mfi", [&] { mfi(H, L, C, V, n, 14, O1); }, [&] { TA_MFI(0, e, H, L, C, V, 14, &b, &nb, O1); });
  row(
      "obv", [&] { obv(C, V, n, O1); }, [&] { TA_OBV(0, e, C, V, &b, &nb, O1); });
  row(
      "ad", [&] { ad(H, L, C, V, n, O1); }, [&] { TA_AD(0, e, H, L, C, V, &b, &nb, O1); });
  row(
      "adosc", [&] { adosc(H, L, C, V, n, 3, 10, O1); }, [&] { TA_ADOSC(0, e, H, L, C, V, 3, 10, &b, &nb, O1); });
  row(
      "roc", [&] { roc(C, n, 10, O1); }, [&] { TA_ROC(0, e, C, 10, &b, &nb, O1); });
  row(
      "mom", [&] { mom(C, n, 10, O1); }, [&] { TA_MOM(0, e, C, 10, &b, &nb, O1); });
  row(
      "willr", [&] { willr(H, L, C, n, 14, O1); }, [&] { TA_WILLR(0, e, H, L, C, 14, &b, &nb, O1); });
  row(
      "aroon", [&] { aroon(H, L, n, 14, O1, O2); }, [&] { TA_AROON(0, e, H, L, 14, &b, &nb, O1, O2); });
  row(
      "aroonOsc", [&] { aroonOsc(H, L, n, 14, O1); }, [&] { TA_AROONOSC(0, e, H, L, 14, &b, &nb, O1); });
  row(
      "sar", [&] { sar(H, L, n, 0.02, 0.2, O1); }, [&] { TA_SAR(0, e, H, L, 0.02, 0.2, &b, &nb, O1); });
  row(
      "ultosc", [&] { ultosc(H, L, C, n, 7, 14, 28, O1); }, [&] { TA_ULTOSC(0, e, H, L, C, 7, 14, 28, &b, &nb, O1); });
  TA_Shutdown();
  return 0;
}
