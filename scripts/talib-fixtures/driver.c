/* TA-Lib fixture driver (test-only: TA-Lib is not a runtime dependency of kernelbus).
 *
 * Built by scripts/talib-fixtures/generate.sh against TA-Lib's C sources as the npm package
 * talib@2.0.5 ships them (TA-Lib 0.6.0-dev). Two modes:
 *
 *   driver fixtures <dir>   writes <dir>/inputs.json (the seeded OHLCV cases) and one
 *                           <dir>/<indicator>.json per indicator: defaults and one other
 *                           parameter set on every case.
 *   driver bench <bars> [file]  times each indicator on one series of <bars> bars (best of 5
 *                           runs, no process start) and prints milliseconds: a random walk, or
 *                           the bars of `file` (high, low, close, volume: <bars> float64 each), so
 *                           that a bench times TA-Lib on its own data.
 *
 * The cases: a random walk; flat stretches with zero volume; closes at the high or the low; leading
 * NaNs and a halted bar; pennies near zero (closes of 0, high = low, negative volume).
 *
 * Outputs follow python talib's convention: the output has the input's length, the warm-up
 * TA-Lib does not emit is NaN (null in JSON), and leading NaNs of the inputs are skipped (the
 * call starts at the first bar where every input the indicator reads is a number), as
 * python talib's check_begidx does. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ta_libc.h"

/* ---- seeded inputs -------------------------------------------------------------------- */

static uint64_t rngState;

static double uniform(void) { /* splitmix64 -> [0, 1) */
  uint64_t z = (rngState += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

static double gaussish(void) { return uniform() + uniform() + uniform() + uniform() - 2.0; }

static double cents(double x) { return round(x * 100.0) / 100.0; }

typedef struct {
  const char* name;
  int n;
  double *open, *high, *low, *close, *volume;
} Case;

static void allocCase(Case* c, const char* name, int n) {
  c->name = name;
  c->n = n;
  c->open = malloc(sizeof(double) * n);
  c->high = malloc(sizeof(double) * n);
  c->low = malloc(sizeof(double) * n);
  c->close = malloc(sizeof(double) * n);
  c->volume = malloc(sizeof(double) * n);
}

/* A random walk in cents: open at the last close, close a step away, high and low beyond both. */
static void walk(Case* c, uint64_t seed, int flat, int extremes, int gaps) {
  rngState = seed;
  double last = 100.0;
  for (int i = 0; i < c->n; i++) {
    int still = flat && ((i / 25) % 3 == 1); /* flat stretches: 25 bars of one price */
    double open = last;
    double close = still ? last : cents(last * (1.0 + 0.02 * gaussish()));
    double high = still ? last : cents(fmax(open, close) * (1.0 + 0.01 * uniform()));
    double low = still ? last : cents(fmin(open, close) * (1.0 - 0.01 * uniform()));
    if (extremes && !still) { /* closes at the high or at the low */
      double u = uniform();
      if (u < 0.35) close = high;
      else if (u < 0.7) close = low;
    }
    double volume = round(1000.0 + 9000.0 * uniform());
    if (flat && ((i / 20) % 4 == 2)) volume = 0.0; /* zero volume stretches */
    if (extremes && uniform() < 0.1) volume = 0.0;
    c->open[i] = open;
    c->high[i] = high;
    c->low[i] = low;
    c->close[i] = close;
    c->volume[i] = volume;
    last = close;
  }
  if (gaps) { /* a symbol listed late (leading NaNs) and a halted bar inside */
    for (int i = 0; i < 12; i++) c->open[i] = c->high[i] = c->low[i] = c->close[i] = c->volume[i] = NAN;
    int h = c->n / 2;
    c->open[h] = c->high[h] = c->low[h] = c->close[h] = c->volume[h] = NAN;
  }
}

/* Pennies near zero: closes of 0, bars with high = low, zero and negative volumes, long flat runs. */
static void edges(Case* c, uint64_t seed) {
  rngState = seed;
  double last = 0.03;
  for (int i = 0; i < c->n; i++) {
    double u = uniform();
    double close = i % 40 >= 30 ? last : cents(fmax(0.0, last + (u < 0.4 ? -0.01 : u < 0.8 ? 0.01 : 0.0)));
    double open = last;
    double high = fmax(open, close) + (uniform() < 0.5 ? 0.0 : 0.01);
    double low = fmax(0.0, fmin(open, close) - (uniform() < 0.5 ? 0.0 : 0.01));
    double v = uniform();
    c->open[i] = open;
    c->high[i] = cents(high);
    c->low[i] = cents(low);
    c->close[i] = close;
    c->volume[i] = v < 0.15 ? 0.0 : v < 0.25 ? -round(100 * uniform()) : round(100 * uniform());
    last = close;
  }
}

/* ---- calls ---------------------------------------------------------------------------- */

enum { H = 1, L = 2, C = 4, V = 8 };

typedef struct {
  const double *high, *low, *close, *volume;
} Bars;

/* One indicator's call over bars[0..n), writing outputs at out[k] + 0 (TA-Lib's compact form). */
typedef TA_RetCode (*Call)(int n, Bars b, const double* p, int* beg, int* nb, double** out);
typedef int (*Lookback)(const double* p);

typedef struct {
  const char* name;
  int inputs;
  int nOut;
  const char* outNames[3];
  int nParams;
  const char* paramNames[5]; /* an MA type as TA-Lib's number: 0 SMA, 1 EMA, 2 WMA, 3 DEMA, 4 TEMA, 5 TRIMA, 6 KAMA */
  double defaults[5];
  double other[5];
  double edge[5]; /* the least periods TA-Lib takes, swapped or odd orders: on walk and edges */
  Call call;
  Lookback lookback;
} Indicator;

#define I(k) ((int)p[k])
#define E (n - 1)

static TA_RetCode cSma(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_SMA(0, E, b.close, I(0), bg, nb, o[0]); }
static int lSma(const double* p) { return TA_SMA_Lookback(I(0)); }
static TA_RetCode cEma(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_EMA(0, E, b.close, I(0), bg, nb, o[0]); }
static int lEma(const double* p) { return TA_EMA_Lookback(I(0)); }
static TA_RetCode cWma(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_WMA(0, E, b.close, I(0), bg, nb, o[0]); }
static int lWma(const double* p) { return TA_WMA_Lookback(I(0)); }
static TA_RetCode cDema(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_DEMA(0, E, b.close, I(0), bg, nb, o[0]); }
static int lDema(const double* p) { return TA_DEMA_Lookback(I(0)); }
static TA_RetCode cTema(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_TEMA(0, E, b.close, I(0), bg, nb, o[0]); }
static int lTema(const double* p) { return TA_TEMA_Lookback(I(0)); }
static TA_RetCode cTrima(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_TRIMA(0, E, b.close, I(0), bg, nb, o[0]); }
static int lTrima(const double* p) { return TA_TRIMA_Lookback(I(0)); }
static TA_RetCode cKama(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_KAMA(0, E, b.close, I(0), bg, nb, o[0]); }
static int lKama(const double* p) { return TA_KAMA_Lookback(I(0)); }
static TA_RetCode cRsi(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_RSI(0, E, b.close, I(0), bg, nb, o[0]); }
static int lRsi(const double* p) { return TA_RSI_Lookback(I(0)); }
static TA_RetCode cMacd(int n, Bars b, const double* p, int* bg, int* nb, double** o) {
  return TA_MACD(0, E, b.close, I(0), I(1), I(2), bg, nb, o[0], o[1], o[2]);
}
static int lMacd(const double* p) { return TA_MACD_Lookback(I(0), I(1), I(2)); }
static TA_RetCode cBbands(int n, Bars b, const double* p, int* bg, int* nb, double** o) {
  return TA_BBANDS(0, E, b.close, I(0), p[1], p[2], (TA_MAType)I(3), bg, nb, o[0], o[1], o[2]);
}
static int lBbands(const double* p) { return TA_BBANDS_Lookback(I(0), p[1], p[2], (TA_MAType)I(3)); }
static TA_RetCode cAtr(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_ATR(0, E, b.high, b.low, b.close, I(0), bg, nb, o[0]); }
static int lAtr(const double* p) { return TA_ATR_Lookback(I(0)); }
static TA_RetCode cNatr(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_NATR(0, E, b.high, b.low, b.close, I(0), bg, nb, o[0]); }
static int lNatr(const double* p) { return TA_NATR_Lookback(I(0)); }
static TA_RetCode cTrange(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_TRANGE(0, E, b.high, b.low, b.close, bg, nb, o[0]); }
static int lTrange(const double* p) { (void)p; return TA_TRANGE_Lookback(); }
static TA_RetCode cStoch(int n, Bars b, const double* p, int* bg, int* nb, double** o) {
  return TA_STOCH(0, E, b.high, b.low, b.close, I(0), I(1), (TA_MAType)I(2), I(3), (TA_MAType)I(4), bg, nb, o[0], o[1]);
}
static int lStoch(const double* p) { return TA_STOCH_Lookback(I(0), I(1), (TA_MAType)I(2), I(3), (TA_MAType)I(4)); }
static TA_RetCode cStochf(int n, Bars b, const double* p, int* bg, int* nb, double** o) {
  return TA_STOCHF(0, E, b.high, b.low, b.close, I(0), I(1), (TA_MAType)I(2), bg, nb, o[0], o[1]);
}
static int lStochf(const double* p) { return TA_STOCHF_Lookback(I(0), I(1), (TA_MAType)I(2)); }
static TA_RetCode cStochRsi(int n, Bars b, const double* p, int* bg, int* nb, double** o) {
  return TA_STOCHRSI(0, E, b.close, I(0), I(1), I(2), (TA_MAType)I(3), bg, nb, o[0], o[1]);
}
static int lStochRsi(const double* p) { return TA_STOCHRSI_Lookback(I(0), I(1), I(2), (TA_MAType)I(3)); }
static TA_RetCode cAdx(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_ADX(0, E, b.high, b.low, b.close, I(0), bg, nb, o[0]); }
static int lAdx(const double* p) { return TA_ADX_Lookback(I(0)); }
static TA_RetCode cAdxr(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_ADXR(0, E, b.high, b.low, b.close, I(0), bg, nb, o[0]); }
static int lAdxr(const double* p) { return TA_ADXR_Lookback(I(0)); }
static TA_RetCode cPlusDi(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_PLUS_DI(0, E, b.high, b.low, b.close, I(0), bg, nb, o[0]); }
static int lPlusDi(const double* p) { return TA_PLUS_DI_Lookback(I(0)); }
static TA_RetCode cMinusDi(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_MINUS_DI(0, E, b.high, b.low, b.close, I(0), bg, nb, o[0]); }
static int lMinusDi(const double* p) { return TA_MINUS_DI_Lookback(I(0)); }
static TA_RetCode cCci(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_CCI(0, E, b.high, b.low, b.close, I(0), bg, nb, o[0]); }
static int lCci(const double* p) { return TA_CCI_Lookback(I(0)); }
static TA_RetCode cMfi(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_MFI(0, E, b.high, b.low, b.close, b.volume, I(0), bg, nb, o[0]); }
static int lMfi(const double* p) { return TA_MFI_Lookback(I(0)); }
static TA_RetCode cObv(int n, Bars b, const double* p, int* bg, int* nb, double** o) { (void)p; return TA_OBV(0, E, b.close, b.volume, bg, nb, o[0]); }
static int lObv(const double* p) { (void)p; return TA_OBV_Lookback(); }
static TA_RetCode cAd(int n, Bars b, const double* p, int* bg, int* nb, double** o) { (void)p; return TA_AD(0, E, b.high, b.low, b.close, b.volume, bg, nb, o[0]); }
static int lAd(const double* p) { (void)p; return TA_AD_Lookback(); }
static TA_RetCode cAdosc(int n, Bars b, const double* p, int* bg, int* nb, double** o) {
  return TA_ADOSC(0, E, b.high, b.low, b.close, b.volume, I(0), I(1), bg, nb, o[0]);
}
static int lAdosc(const double* p) { return TA_ADOSC_Lookback(I(0), I(1)); }
static TA_RetCode cRoc(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_ROC(0, E, b.close, I(0), bg, nb, o[0]); }
static int lRoc(const double* p) { return TA_ROC_Lookback(I(0)); }
static TA_RetCode cMom(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_MOM(0, E, b.close, I(0), bg, nb, o[0]); }
static int lMom(const double* p) { return TA_MOM_Lookback(I(0)); }
static TA_RetCode cWillr(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_WILLR(0, E, b.high, b.low, b.close, I(0), bg, nb, o[0]); }
static int lWillr(const double* p) { return TA_WILLR_Lookback(I(0)); }
static TA_RetCode cAroon(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_AROON(0, E, b.high, b.low, I(0), bg, nb, o[0], o[1]); }
static int lAroon(const double* p) { return TA_AROON_Lookback(I(0)); }
static TA_RetCode cAroonOsc(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_AROONOSC(0, E, b.high, b.low, I(0), bg, nb, o[0]); }
static int lAroonOsc(const double* p) { return TA_AROONOSC_Lookback(I(0)); }
static TA_RetCode cSar(int n, Bars b, const double* p, int* bg, int* nb, double** o) { return TA_SAR(0, E, b.high, b.low, p[0], p[1], bg, nb, o[0]); }
static int lSar(const double* p) { return TA_SAR_Lookback(p[0], p[1]); }
static TA_RetCode cUltosc(int n, Bars b, const double* p, int* bg, int* nb, double** o) {
  return TA_ULTOSC(0, E, b.high, b.low, b.close, I(0), I(1), I(2), bg, nb, o[0]);
}
static int lUltosc(const double* p) { return TA_ULTOSC_Lookback(I(0), I(1), I(2)); }

/* TA-Lib's defaults first, then one other set; names in kernelbus' camelCase. */
static const Indicator kIndicators[] = {
    {"sma", C, 1, {"value"}, 1, {"timePeriod"}, {30}, {10}, {2}, cSma, lSma},
    {"ema", C, 1, {"value"}, 1, {"timePeriod"}, {30}, {10}, {2}, cEma, lEma},
    {"wma", C, 1, {"value"}, 1, {"timePeriod"}, {30}, {7}, {2}, cWma, lWma},
    {"dema", C, 1, {"value"}, 1, {"timePeriod"}, {30}, {5}, {2}, cDema, lDema},
    {"tema", C, 1, {"value"}, 1, {"timePeriod"}, {30}, {5}, {2}, cTema, lTema},
    {"trima", C, 1, {"value"}, 1, {"timePeriod"}, {30}, {9}, {2}, cTrima, lTrima},
    {"kama", C, 1, {"value"}, 1, {"timePeriod"}, {30}, {10}, {2}, cKama, lKama},
    {"rsi", C, 1, {"value"}, 1, {"timePeriod"}, {14}, {5}, {2}, cRsi, lRsi},
    {"macd", C, 3, {"macd", "signal", "hist"}, 3, {"fastPeriod", "slowPeriod", "signalPeriod"}, {12, 26, 9}, {5, 13, 4}, {26, 12, 2}, cMacd, lMacd},
    {"bbands", C, 3, {"upper", "middle", "lower"}, 4, {"timePeriod", "nbDevUp", "nbDevDn", "maType"}, {5, 2, 2, 0}, {20, 1.5, 2.5, 1}, {2, 0.5, -1, 6}, cBbands, lBbands},
    {"atr", H | L | C, 1, {"value"}, 1, {"timePeriod"}, {14}, {5}, {1}, cAtr, lAtr},
    {"natr", H | L | C, 1, {"value"}, 1, {"timePeriod"}, {14}, {5}, {1}, cNatr, lNatr},
    {"trange", H | L | C, 1, {"value"}, 0, {0}, {0}, {0}, {0}, cTrange, lTrange},
    {"stoch", H | L | C, 2, {"k", "d"}, 5, {"fastKPeriod", "slowKPeriod", "slowKMAType", "slowDPeriod", "slowDMAType"}, {5, 3, 0, 3, 0}, {9, 4, 3, 2, 2}, {1, 2, 4, 2, 5}, cStoch, lStoch},
    {"stochf", H | L | C, 2, {"k", "d"}, 3, {"fastKPeriod", "fastDPeriod", "fastDMAType"}, {5, 3, 0}, {14, 4, 1}, {1, 2, 6}, cStochf, lStochf},
    {"stochRsi", C, 2, {"k", "d"}, 4, {"timePeriod", "fastKPeriod", "fastDPeriod", "fastDMAType"}, {14, 5, 3, 0}, {10, 7, 4, 3}, {2, 1, 2, 4}, cStochRsi, lStochRsi},
    {"adx", H | L | C, 1, {"value"}, 1, {"timePeriod"}, {14}, {7}, {2}, cAdx, lAdx},
    {"adxr", H | L | C, 1, {"value"}, 1, {"timePeriod"}, {14}, {7}, {2}, cAdxr, lAdxr},
    {"plusDi", H | L | C, 1, {"value"}, 1, {"timePeriod"}, {14}, {7}, {1}, cPlusDi, lPlusDi},
    {"minusDi", H | L | C, 1, {"value"}, 1, {"timePeriod"}, {14}, {7}, {1}, cMinusDi, lMinusDi},
    {"cci", H | L | C, 1, {"value"}, 1, {"timePeriod"}, {14}, {20}, {2}, cCci, lCci},
    {"mfi", H | L | C | V, 1, {"value"}, 1, {"timePeriod"}, {14}, {7}, {2}, cMfi, lMfi},
    {"obv", C | V, 1, {"value"}, 0, {0}, {0}, {0}, {0}, cObv, lObv},
    {"ad", H | L | C | V, 1, {"value"}, 0, {0}, {0}, {0}, {0}, cAd, lAd},
    {"adosc", H | L | C | V, 1, {"value"}, 2, {"fastPeriod", "slowPeriod"}, {3, 10}, {5, 20}, {10, 3}, cAdosc, lAdosc},
    {"roc", C, 1, {"value"}, 1, {"timePeriod"}, {10}, {3}, {1}, cRoc, lRoc},
    {"mom", C, 1, {"value"}, 1, {"timePeriod"}, {10}, {3}, {1}, cMom, lMom},
    {"willr", H | L | C, 1, {"value"}, 1, {"timePeriod"}, {14}, {7}, {2}, cWillr, lWillr},
    {"aroon", H | L, 2, {"down", "up"}, 1, {"timePeriod"}, {14}, {7}, {2}, cAroon, lAroon},
    {"aroonOsc", H | L, 1, {"value"}, 1, {"timePeriod"}, {14}, {7}, {2}, cAroonOsc, lAroonOsc},
    {"sar", H | L, 1, {"value"}, 2, {"acceleration", "maximum"}, {0.02, 0.2}, {0.05, 0.3}, {0.3, 0.1}, cSar, lSar},
    {"ultosc", H | L | C, 1, {"value"}, 3, {"timePeriod1", "timePeriod2", "timePeriod3"}, {7, 14, 28}, {5, 10, 20}, {28, 1, 7}, cUltosc, lUltosc},
};
static const int kCount = sizeof(kIndicators) / sizeof(kIndicators[0]);

/* python talib's check_begidx: the first bar where every input read is a number. */
static int firstBar(const Indicator* ind, const Case* c) {
  for (int i = 0; i < c->n; i++) {
    if ((ind->inputs & H) && isnan(c->high[i])) continue;
    if ((ind->inputs & L) && isnan(c->low[i])) continue;
    if ((ind->inputs & C) && isnan(c->close[i])) continue;
    if ((ind->inputs & V) && isnan(c->volume[i])) continue;
    return i;
  }
  return c->n;
}

/* Runs one indicator with python talib's layout: out[k] has c->n values, NaN before the first. */
static void run(const Indicator* ind, const Case* c, const double* p, double** out) {
  for (int k = 0; k < ind->nOut; k++)
    for (int i = 0; i < c->n; i++) out[k][i] = NAN;
  int begin = firstBar(ind, c);
  if (begin >= c->n) return;
  int n = c->n - begin;
  Bars b = {c->high + begin, c->low + begin, c->close + begin, c->volume + begin};
  int outBeg = 0, outNb = 0;
  double* tmp[3];
  for (int k = 0; k < ind->nOut; k++) { /* NaN-filled as python talib's arrays: an output TA-Lib skips stays NaN */
    tmp[k] = malloc(sizeof(double) * n);
    for (int i = 0; i < n; i++) tmp[k][i] = NAN;
  }
  TA_RetCode rc = ind->call(n, b, p, &outBeg, &outNb, tmp);
  if (rc != TA_SUCCESS) {
    fprintf(stderr, "%s on %s: TA-Lib error %d\n", ind->name, c->name, rc);
    exit(1);
  }
  int at = begin + ind->lookback(p);
  if (outNb > 0 && begin + outBeg != at) {
    fprintf(stderr, "%s on %s: outBegIdx %d differs from the lookback\n", ind->name, c->name, outBeg);
    exit(1);
  }
  for (int k = 0; k < ind->nOut; k++) {
    for (int i = 0; i < outNb; i++) out[k][begin + outBeg + i] = tmp[k][i];
    free(tmp[k]);
  }
}

/* ---- JSON ----------------------------------------------------------------------------- */

static void writeArray(FILE* f, const double* x, int n) {
  fputc('[', f);
  for (int i = 0; i < n; i++) {
    if (i) fputc(',', f);
    if (isnan(x[i])) fputs("null", f);
    else if (isinf(x[i])) fputs(x[i] > 0 ? "1e999" : "-1e999", f); /* JSON.parse reads Infinity */
    else fprintf(f, "%.17g", x[i]);
  }
  fputc(']', f);
}

static FILE* openIn(const char* dir, const char* name) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s.json", dir, name);
  FILE* f = fopen(path, "w");
  if (!f) {
    perror(path);
    exit(1);
  }
  return f;
}

#define CASES 5
static Case cases[CASES];

static void makeCases(void) {
  allocCase(&cases[0], "walk", 240);
  walk(&cases[0], 20240601, 0, 0, 0);
  allocCase(&cases[1], "flat", 240);
  walk(&cases[1], 7, 1, 0, 0);
  allocCase(&cases[2], "extremes", 240);
  walk(&cases[2], 99, 0, 1, 0);
  allocCase(&cases[3], "gaps", 240);
  walk(&cases[3], 12345, 1, 1, 1);
  allocCase(&cases[4], "edges", 240);
  edges(&cases[4], 4);
}

/* One run as JSON: the case (its first `bars` bars), the parameters, the outputs. */
static void writeRun(FILE* f, const Indicator* ind, const Case* whole, int bars, const double* p, int* first) {
  Case c = *whole;
  c.n = bars;
  double* out[3];
  for (int k = 0; k < ind->nOut; k++) out[k] = malloc(sizeof(double) * c.n);
  run(ind, &c, p, out);
  fprintf(f, "%s\n{\"case\":\"%s\",", *first ? "" : ",", c.name);
  if (bars != whole->n) fprintf(f, "\"bars\":%d,", bars);
  fputs("\"params\":{", f);
  *first = 0;
  for (int q = 0; q < ind->nParams; q++) fprintf(f, "%s\"%s\":%.17g", q ? "," : "", ind->paramNames[q], p[q]);
  fputs("},\"outputs\":{", f);
  for (int k = 0; k < ind->nOut; k++) {
    fprintf(f, "%s\"%s\":", k ? "," : "", ind->outNames[k]);
    writeArray(f, out[k], c.n);
    free(out[k]);
  }
  fputs("}}", f);
}

static void fixtures(const char* dir) {
  FILE* f = openIn(dir, "inputs");
  fputs("{\"talib\":\"0.6.0-dev (npm talib@2.0.5)\",\"cases\":{", f);
  for (int c = 0; c < CASES; c++) {
    const Case* k = &cases[c];
    fprintf(f, "%s\n\"%s\":{\"open\":", c ? "," : "", k->name);
    writeArray(f, k->open, k->n);
    fputs(",\n\"high\":", f);
    writeArray(f, k->high, k->n);
    fputs(",\n\"low\":", f);
    writeArray(f, k->low, k->n);
    fputs(",\n\"close\":", f);
    writeArray(f, k->close, k->n);
    fputs(",\n\"volume\":", f);
    writeArray(f, k->volume, k->n);
    fputc('}', f);
  }
  fputs("}}\n", f);
  fclose(f);

  for (int i = 0; i < kCount; i++) {
    const Indicator* ind = &kIndicators[i];
    f = openIn(dir, ind->name);
    fprintf(f, "{\"indicator\":\"%s\",\"runs\":[", ind->name);
    int first = 1;
    for (int set = 0; set < 3; set++) {
      const double* p = set == 0 ? ind->defaults : set == 1 ? ind->other : ind->edge;
      if (set && ind->nParams == 0) break;
      for (int c = 0; c < CASES; c++) {
        if (set == 2 && strcmp(cases[c].name, "walk") != 0 && strcmp(cases[c].name, "edges") != 0) continue;
        writeRun(f, ind, &cases[c], cases[c].n, p, &first);
      }
    }
    /* around the lookback: the first lookback - 1 .. lookback + 2 bars of walk, with the defaults */
    for (int n = ind->lookback(ind->defaults) - 1; n <= ind->lookback(ind->defaults) + 2; n++) {
      if (n >= 1) writeRun(f, ind, &cases[0], n, ind->defaults, &first);
    }
    fputs("]}\n", f);
    fclose(f);
  }
}

/* ---- bench ---------------------------------------------------------------------------- */

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* The bars of `file`: high, low, close and volume, `bars` float64 values each, one after the other. */
static void readBars(Case* c, const char* file) {
  FILE* f = fopen(file, "rb");
  double* columns[4] = {c->high, c->low, c->close, c->volume};
  for (int k = 0; k < 4; k++) {
    if (!f || fread(columns[k], sizeof(double), c->n, f) != (size_t)c->n) {
      fprintf(stderr, "%s: expected 4 x %d float64 values\n", file, c->n);
      exit(1);
    }
  }
  fclose(f);
}

static void bench(int bars, const char* file) {
  Case c;
  allocCase(&c, "bench", bars);
  if (file) readBars(&c, file);
  else walk(&c, 1, 0, 0, 0);
  printf("{\"bars\":%d,\"ms\":{", bars);
  for (int i = 0; i < kCount; i++) {
    const Indicator* ind = &kIndicators[i];
    double* out[3];
    for (int k = 0; k < ind->nOut; k++) out[k] = malloc(sizeof(double) * bars);
    double best = 1e300;
    for (int r = 0; r < 5; r++) {
      Bars b = {c.high, c.low, c.close, c.volume};
      int beg = 0, nb = 0;
      double t0 = now();
      ind->call(bars, b, ind->defaults, &beg, &nb, out);
      double t = now() - t0;
      if (t < best) best = t;
    }
    for (int k = 0; k < ind->nOut; k++) free(out[k]);
    printf("%s\"%s\":%.3f", i ? "," : "", ind->name, best);
  }
  printf("}}\n");
}

int main(int argc, char** argv) {
  if (TA_Initialize() != TA_SUCCESS) return 1;
  if (argc == 3 && strcmp(argv[1], "fixtures") == 0) {
    makeCases();
    fixtures(argv[2]);
  } else if ((argc == 3 || argc == 4) && strcmp(argv[1], "bench") == 0) {
    bench(atoi(argv[2]), argc == 4 ? argv[3] : NULL);
  } else {
    fprintf(stderr, "usage: driver fixtures <dir> | driver bench <bars> [bars file]\n");
    return 2;
  }
  TA_Shutdown();
  return 0;
}
