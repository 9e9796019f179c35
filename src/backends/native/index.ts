/** The native backend: the addon's functions in the backend shape (no copies: typed arrays pass through). */
import type { VpinBuckets, VpinParams } from '../../kernels/vpin.js';
import type { Backend, VpinStreamCore } from '../types.js';
import type { NativeBinding } from './binding.js';

/** Fresh empty rows (the addon returns undefined rather than allocate five empty arrays). */
function noBuckets(): VpinBuckets {
  const empty = () => new Float64Array(0);
  return { endTs: empty(), buyVolume: empty(), sellVolume: empty(), vpin: empty(), cdf: empty() };
}

export function nativeBackend(b: NativeBinding): Backend {
  return {
    name: 'native',
    vpin: {
      timeBars: (ts, price, volume, barMs) => b.timeBars(ts, price, volume, barMs),
      tickRule: (price) => b.tickRule(price),
      bulkClassify: (open, close, volume, p) =>
        b.bulkClassify(open, close, volume, p.priceChange, p.sigmaKind, p.sigmaParam, p.distribution, p.nu),
      vpin: (ts, price, volume, p: VpinParams) =>
        b.vpin(ts, price, volume, p.bucketVolume, p.window, p.barMs, p.classifier, p.priceChange, p.sigmaKind, p.sigmaParam, p.distribution, p.nu),
      createVpinStream(p: VpinParams): VpinStreamCore {
        const stream = new b.NativeVpinStream(
          p.bucketVolume, p.window, p.barMs, p.classifier, p.priceChange, p.sigmaKind, p.sigmaParam, p.distribution, p.nu,
        );
        return {
          update: (ts, price, volume) => stream.update(ts, price, volume) ?? noBuckets(),
          flush: () => stream.flush() ?? noBuckets(),
          exportState: () => stream.exportState(),
          importState: (state) => stream.importState(state),
          get bucketCount() {
            return stream.bucketCount();
          },
        };
      },
    },
  };
}
