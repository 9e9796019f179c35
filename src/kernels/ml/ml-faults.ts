/**
 * The ml family's fault messages (ML_MODEL_INVALID of fault-codes.ts), read by faults.ts inputFault
 * through families.ts FAMILY_FAULTS. The kinds are its `previous`, equal to ml::MlFault in
 * native/kernels/ml/ml.hpp.
 */
import { KernelInputError } from '../../errors.js';
import { Fault, type FamilyFault } from '../fault-codes.js';

/** What is wrong (ML_MODEL_INVALID's previous); index and value as each says. */
export const MlFault = {
  /** The packed model's length (value) is not the one its header's counts make (index). */
  LENGTH: 0,
  /** model[index] (value) is not what the packed layout allows there. */
  ENTRY: 1,
  /** x's columns (index) are not the model's features (value). */
  COLUMNS: 2,
  /** classes (index) is not the model's (value). */
  CLASSES: 3,
  /** iterations (index) above the model's (value). */
  ITERATIONS: 4,
  /** A tree's count at model[index] (value) is not finite and >= 0 (TreeSHAP weighs by them). */
  COVERS: 5,
  /** width (index) is not classes x (cols + 1) (value). */
  WIDTH: 6,
} as const;

/** The error of an ml fault, or undefined for another family's code. */
export const mlFault: FamilyFault = (code, index, value, previous) => {
  if (code !== Fault.ML_MODEL_INVALID) return undefined;
  const v = String(value);
  switch (previous) {
    case MlFault.LENGTH:
      return new KernelInputError('model', `a packed LightGBM model of ${index} values (its header's counts)`, v);
    case MlFault.ENTRY:
      return new KernelInputError('model', 'a packed LightGBM model (packLightGbm())', `model[${index}] = ${v}`);
    case MlFault.COLUMNS:
      return new KernelInputError('x', `${v} features a row (the model's)`, String(index));
    case MlFault.CLASSES:
      return new KernelInputError('classes', `the model's ${v}`, String(index));
    case MlFault.ITERATIONS:
      return new KernelInputError('options.iterations', `an integer in [0, ${v}] (the model's iterations; 0: all)`, String(index));
    case MlFault.WIDTH:
      return new KernelInputError('width', `classes x (cols + 1) (${v})`, String(index));
    default:
      return new KernelInputError(
        'model',
        "the trees' counts (internal_count, leaf_count: TreeSHAP weighs by them)",
        `model[${index}] = ${v}`,
      );
  }
};
