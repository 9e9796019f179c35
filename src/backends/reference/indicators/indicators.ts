/** The reference indicators family: TA-Lib's algorithms in TypeScript (columns.ts: panels and NaN). */
import { INDICATORS_KERNELS as K } from '../../../kernels/indicators/indicators-kernels.js';
import type { IndicatorsFamily } from '../../../kernels/indicators/indicators.js';
import { ema, sma } from './averages.js';
import { indicatorCall } from './columns.js';
import { macd, rsi, stoch } from './momentum.js';
import { adx, atr, bbands, trange } from './volatility.js';

export const referenceIndicators: IndicatorsFamily = {
  sma: indicatorCall(K.sma, 1, ([x], [p], [o]) => sma(x, p, o)),
  ema: indicatorCall(K.ema, 1, ([x], [p], [o]) => ema(x, p, o)),
  rsi: indicatorCall(K.rsi, 1, ([x], [p], [o]) => rsi(x, p, o)),
  macd: indicatorCall(K.macd, 1, ([x], [f, s, g], [m, sg, h]) => macd(x, f, s, g, m, sg, h)),
  bbands: indicatorCall(K.bbands, 1, ([x], [p, up, dn], [u, m, l]) => bbands(x, p, up, dn, u, m, l)),
  trange: indicatorCall(K.trange, 3, ([h, l, c], _, [o]) => trange(h, l, c, o)),
  atr: indicatorCall(K.atr, 3, ([h, l, c], [p], [o]) => atr(h, l, c, p, o)),
  adx: indicatorCall(K.adx, 3, ([h, l, c], [p], [o]) => adx(h, l, c, p, o)),
  stoch: indicatorCall(K.stoch, 3, ([h, l, c], [f, sk, sd], [k, d]) => stoch(h, l, c, f, sk, sd, k, d)),
};
