/**
 * The portfolio family's kernels: the mean-variance optimizers (portfolio-optimizers.ts) and the
 * allocation kernels (portfolio-allocation.ts), one descriptor table for the catalogue (families.ts).
 */
import { ALLOCATION_KERNELS, type AllocationKernels } from './portfolio-allocation.js';
import { OPTIMIZER_KERNELS, type OptimizerKernels } from './portfolio-optimizers.js';

/** The portfolio family's kernels as the API offers them. */
export interface PortfolioKernels extends OptimizerKernels, AllocationKernels {}

/** One descriptor per kernel of the portfolio family. */
export const PORTFOLIO_KERNELS = { ...OPTIMIZER_KERNELS, ...ALLOCATION_KERNELS } as const;
