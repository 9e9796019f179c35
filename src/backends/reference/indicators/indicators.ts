/** The reference indicators family: TA-Lib's algorithms in TypeScript (columns.ts: panels and NaN). */
import { INDICATORS_KERNELS as K } from '../../../kernels/indicators/indicators-kernels.js';
import type { IndicatorCall, IndicatorName, IndicatorsFamily } from '../../../kernels/indicators/indicators.js';
import { dema, ema, kama, sma, tema, trima, wma } from './averages.js';
import { indicatorCall } from './columns.js';
import { gridOver } from './grid.js';
import { crossedAbove, crossedBelow } from './signals.js';
import { adx, adxr, minusDi, plusDi, sar } from './directional.js';
import { aroon, aroonOsc, cci, macd, mom, roc, rsi, ultosc } from './momentum.js';
import { stoch, stochf, stochRsi, willr } from './oscillators.js';
import { atr, bbands, natr, trange } from './bands-ranges.js';
import { ad, adosc, mfi, obv } from './volume.js';

const indicators: { readonly [K in IndicatorName]: IndicatorCall } = {
  sma: indicatorCall(K.sma, 1, ([x], [p], [o]) => sma(x, p, o)),
  ema: indicatorCall(K.ema, 1, ([x], [p], [o]) => ema(x, p, o)),
  wma: indicatorCall(K.wma, 1, ([x], [p], [o]) => wma(x, p, o)),
  dema: indicatorCall(K.dema, 1, ([x], [p], [o]) => dema(x, p, o)),
  tema: indicatorCall(K.tema, 1, ([x], [p], [o]) => tema(x, p, o)),
  trima: indicatorCall(K.trima, 1, ([x], [p], [o]) => trima(x, p, o)),
  kama: indicatorCall(K.kama, 1, ([x], [p], [o]) => kama(x, p, o)),
  rsi: indicatorCall(K.rsi, 1, ([x], [p], [o]) => rsi(x, p, o)),
  macd: indicatorCall(K.macd, 1, ([x], [f, s, g], [m, sg, h]) => macd(x, f, s, g, m, sg, h)),
  bbands: indicatorCall(K.bbands, 1, ([x], [p, up, dn, ma], [u, m, l]) => bbands(x, p, up, dn, ma, u, m, l)),
  atr: indicatorCall(K.atr, 3, ([h, l, c], [p], [o]) => atr(h, l, c, p, o)),
  natr: indicatorCall(K.natr, 3, ([h, l, c], [p], [o]) => natr(h, l, c, p, o)),
  trange: indicatorCall(K.trange, 3, ([h, l, c], _, [o]) => trange(h, l, c, o)),
  stoch: indicatorCall(K.stoch, 3, ([h, l, c], [f, sk, skt, sd, sdt], [k, d]) => stoch(h, l, c, f, sk, skt, sd, sdt, k, d)),
  stochf: indicatorCall(K.stochf, 3, ([h, l, c], [f, fd, fdt], [k, d]) => stochf(h, l, c, f, fd, fdt, k, d)),
  stochRsi: indicatorCall(K.stochRsi, 1, ([x], [p, f, fd, fdt], [k, d]) => stochRsi(x, p, f, fd, fdt, k, d)),
  adx: indicatorCall(K.adx, 3, ([h, l, c], [p], [o]) => adx(h, l, c, p, o)),
  adxr: indicatorCall(K.adxr, 3, ([h, l, c], [p], [o]) => adxr(h, l, c, p, o)),
  plusDi: indicatorCall(K.plusDi, 3, ([h, l, c], [p], [o]) => plusDi(h, l, c, p, o)),
  minusDi: indicatorCall(K.minusDi, 3, ([h, l, c], [p], [o]) => minusDi(h, l, c, p, o)),
  cci: indicatorCall(K.cci, 3, ([h, l, c], [p], [o]) => cci(h, l, c, p, o)),
  mfi: indicatorCall(K.mfi, 4, ([h, l, c, v], [p], [o]) => mfi(h, l, c, v, p, o)),
  obv: indicatorCall(K.obv, 2, ([c, v], _, [o]) => obv(c, v, o)),
  ad: indicatorCall(K.ad, 4, ([h, l, c, v], _, [o]) => ad(h, l, c, v, o)),
  adosc: indicatorCall(K.adosc, 4, ([h, l, c, v], [f, s], [o]) => adosc(h, l, c, v, f, s, o)),
  roc: indicatorCall(K.roc, 1, ([x], [p], [o]) => roc(x, p, o)),
  mom: indicatorCall(K.mom, 1, ([x], [p], [o]) => mom(x, p, o)),
  willr: indicatorCall(K.willr, 3, ([h, l, c], [p], [o]) => willr(h, l, c, p, o)),
  aroon: indicatorCall(K.aroon, 2, ([h, l], [p], [down, up]) => aroon(h, l, p, down, up)),
  aroonOsc: indicatorCall(K.aroonOsc, 2, ([h, l], [p], [o]) => aroonOsc(h, l, p, o)),
  sar: indicatorCall(K.sar, 2, ([h, l], [a, m], [o]) => sar(h, l, a, m, o)),
  ultosc: indicatorCall(K.ultosc, 3, ([h, l, c], [p1, p2, p3], [o]) => ultosc(h, l, c, p1, p2, p3, o)),
};

export const referenceIndicators: IndicatorsFamily = { ...indicators, grid: gridOver(indicators), crossedAbove, crossedBelow };
