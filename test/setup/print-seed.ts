/** vitest globalSetup: says once which fast-check seed the run uses (test/setup/fast-check.ts). */
import { DEFAULT_FC_SEED } from './fast-check.js';

export default function setup(): void {
  if (process.env.KERNELBUS_FC_SEED_SHOWN) return; // once, not once per project
  process.env.KERNELBUS_FC_SEED_SHOWN = '1';
  const given = process.env.KERNELBUS_FC_SEED;
  const explore = process.env.KERNELBUS_EXPLORE === '1';
  const seed = given
    ? `${given} (KERNELBUS_FC_SEED)`
    : explore
      ? 'random per file (KERNELBUS_EXPLORE=1)'
      : `${DEFAULT_FC_SEED} (fixed; KERNELBUS_FC_SEED=<n> for another)`;
  process.stdout.write(`fast-check seed: ${seed}\n`);
}
