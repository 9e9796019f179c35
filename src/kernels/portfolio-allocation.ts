/**
 * The portfolio family's allocation kernels (risk parity, hierarchical risk parity, covariance repair,
 * expected returns): their descriptors (ALLOCATION_KERNELS, see descriptor.ts) and the API's interface
 * (AllocationKernels). The mean-variance optimizers are in portfolio-optimizers.ts; portfolio-kernels.ts
 * joins the two into the family.
 */

/** The allocation kernels as the API offers them (each also exists as `<name>Async`). */
// biome-ignore lint/suspicious/noEmptyInterface: the allocation kernels are added here
export interface AllocationKernels {}

/** One descriptor per allocation kernel. */
export const ALLOCATION_KERNELS = {} as const;
