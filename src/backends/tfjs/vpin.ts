/**
 * The tfjs backend's VPIN kernel: bulk volume classification over bars, buy = volume * F(dP / sigma)
 * (src/backends/reference/vpin/vpin.ts is the oracle). What runs where:
 * - the price changes dP are differenced on the host in float64 (differences of float32 prices would
 *   keep ~7 digits of the price, not of its change), then go to a tensor;
 * - sigma: 'sample' is tf.moments over dP (ddof 1); a fixed sigma is a scalar; the rolling and EWMA
 *   sigmas are recurrences over the bars, which tfjs has no op for (no scan): they are the reference's
 *   SigmaState on the host, in float64;
 * - z = dP / sigma, the normal CDF 0.5 (1 + erf(z / sqrt 2)) and volume * F are tfjs ops (float32);
 *   F is 0.5 where sigma is not > 0 or z is NaN. tfjs has no Student-t CDF (no incomplete beta): with
 *   { studentT: nu }, z comes from tfjs and F(z) is src/math/special.ts on the host.
 * Faults are the reference's (checkBars), before any tfjs op; bar volumes and prices beyond float32's
 * range are a KernelInputError.
 */
import { SIGMA_EWMA, SIGMA_ROLLING, SIGMA_SAMPLE, type ClassifyParams, type VpinFamily } from '../../kernels/vpin/vpin.js';
import { studentTCdf } from '../../math/special.js';
import { checkBars, priceChanges, SigmaState } from '../reference/vpin/vpin.js';
import { requireFloat32, toFloat32 } from './float32.js';
import { requireReady, tidyRead, type TfjsRuntime } from './runtime.js';

/** The VPIN kernels the tfjs backend implements. */
export const TFJS_VPIN_KERNELS = ['bulkClassify'] as const satisfies readonly (keyof VpinFamily)[];

/** bulkClassify on tfjs ops. */
export function tfjsVpin({ tf }: TfjsRuntime): Pick<VpinFamily, (typeof TFJS_VPIN_KERNELS)[number]> {
  return {
    bulkClassify(open: Float64Array, close: Float64Array, volume: Float64Array, params: ClassifyParams): Float64Array {
      checkBars(open, close, volume);
      const n = open.length;
      toFloat32(open, 'bars.open');
      toFloat32(close, 'bars.close');
      const v32 = toFloat32(volume, 'bars.volume');
      if (params.sigmaKind !== SIGMA_SAMPLE) requireFloat32(params.sigmaParam, 'options.sigma');
      if (n === 0) return new Float64Array(0);
      requireReady();
      const dP = priceChanges(open, close, params.priceChange);
      const dP32 = toFloat32(dP, 'bars.close');
      // rolling and EWMA sigmas: the recurrence on the host (tfjs has no scan op)
      let sigmas: Float32Array | undefined;
      if (params.sigmaKind === SIGMA_ROLLING || params.sigmaKind === SIGMA_EWMA) {
        const state = new SigmaState(params.sigmaKind, params.sigmaParam, NaN);
        sigmas = Float32Array.from(dP, (x) => state.next(x));
      }
      const studentT = params.distribution !== 0;
      const out = tidyRead(tf, () => {
        const d = tf.tensor1d(dP32);
        // sample standard deviation (ddof 1); undefined (NaN) below 2 bars
        const sampleSigma = () => (n < 2 ? tf.scalar(NaN) : tf.sqrt(tf.mul(tf.moments(d).variance, n / (n - 1))));
        const sigma = sigmas ? tf.tensor1d(sigmas) : params.sigmaKind === SIGMA_SAMPLE ? sampleSigma() : tf.scalar(params.sigmaParam);
        const z = tf.div(d, sigma);
        const defined = tf.logicalAnd(tf.greater(sigma, 0), tf.logicalNot(tf.isNaN(z)));
        if (studentT) return tf.where(defined, z, tf.fill(z.shape, NaN)).dataSync();
        const F = tf.mul(tf.add(tf.erf(tf.mul(z, Math.SQRT1_2)), 1), 0.5);
        return tf.mul(tf.tensor1d(v32), tf.where(defined, F, tf.fill(F.shape, 0.5))).dataSync();
      });
      if (!studentT) return Float64Array.from(out);
      // Student t: F(z) on the host (no incomplete beta in tfjs); 0.5 where z is undefined
      const buy = new Float64Array(n);
      for (let i = 0; i < n; i++) buy[i] = volume[i] * (Number.isNaN(out[i]) ? 0.5 : studentTCdf(out[i], params.nu));
      return buy;
    },
  };
}
