/**
 * The portfolio family's kernels: the mean-variance optimizers (portfolio-optimizers.ts) and the
 * allocation kernels (portfolio-allocation.ts), one descriptor table for the catalogue (families.ts).
 * One problem or a batch, and the labels, as portfolio-shapes.ts says.
 */
import { ALLOCATION_KERNELS, type AllocationKernels } from './portfolio-allocation.js';
import { OPTIMIZER_KERNELS, type OptimizerKernels } from './portfolio-optimizers.js';

/**
 * The portfolio family's kernels as the API offers them: `PortfolioKernels` the synchronous ones,
 * `PortfolioKernels<true>` the same signatures with promised results (the `<name>Async` forms).
 */
export interface PortfolioKernels<A extends boolean = false> extends OptimizerKernels<A>, AllocationKernels<A> {}

/**
 * The `<name>Async` forms of the portfolio kernels, their generic signatures kept (a mapped type over
 * `PortfolioKernels<true>`: a conditional type that infers a generic function's parameters and result
 * would drop them, and one problem's result type with them).
 */
export type PortfolioAsyncKernels = {
  [K in keyof PortfolioKernels<true> as `${K & string}Async`]: PortfolioKernels<true>[K];
};

/** One descriptor per kernel of the portfolio family. */
export const PORTFOLIO_KERNELS = { ...OPTIMIZER_KERNELS, ...ALLOCATION_KERNELS } as const;
