/** The reference backend: pure TypeScript, complete on its own, the oracle of the parity suite. */
import type { Backend } from '../types.js';
import { referenceVpin } from './vpin.js';

export const referenceBackend: Backend = { name: 'reference', vpin: referenceVpin };
