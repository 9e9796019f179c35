/**
 * kernelbus/ml's types: what loadModel() reads and returns (./model.ts: LightGBM text models; ./onnx.ts:
 * ONNX models through onnxruntime-node), in a module of their own so that both implement them.
 */
import type { BackendChoice } from '../api/kernels.js';
import type { Matrix } from '../kernels/matrix.js';
import type { LightGbmModel } from './lightgbm-text.js';

/** Options of loadModel(). */
export interface LoadOptions {
  /** The kernels' backend: 'auto' (default: native where built), 'native' or 'reference'. */
  backend?: BackendChoice;
  /** Threads of the native backend (default: the pool's); an ONNX model's onnxruntime intra-op threads. */
  threads?: number;
}

/** What loadModel() reads: a file's path, its bytes, or a model's text. */
export type ModelSource = string | Uint8Array | { text: string };

/** Options of Model.predict(). */
export interface PredictOptions {
  /** Raw scores (LightGBM's raw_score): the sum of the trees, before the objective. Default false. */
  raw?: boolean;
  /** The first k boosting iterations only (k x classes trees; LightGBM's num_iteration). Default all. */
  iterations?: number;
}

/** A model loaded by loadModel(). */
export interface Model {
  readonly kind: 'lightgbm' | 'onnx';
  /** The features a row holds, in order (LightGBM's feature names; an ONNX model's f0.. by its input's width). */
  readonly features: readonly string[];
  /** Outputs a row: the classes of a multiclass model, else 1 (an ONNX model: its output's width). */
  readonly classes: number;
  /** Boosting iterations (1 for an ONNX model: its graph runs whole). */
  readonly iterations: number;
  /**
   * Predictions of X: a Matrix rows x features gives a Float64Array of rows (one class) or a Matrix rows
   * x classes (its columns the classes); one row as a Float64Array gives a number, or a Float64Array of
   * the classes. KernelInputError for X of another width or options out of range.
   */
  predict(X: Matrix, options?: PredictOptions): Float64Array | Matrix;
  predict(row: Float64Array, options?: PredictOptions): number | Float64Array;
  /**
   * SHAP values of each row (TreeSHAP, as LightGBM's `predict(X, pred_contrib=True)`): a Matrix rows x
   * classes (features + 1), per class each feature's contribution then the bias; they add up to the row's
   * raw score. `iterations` as predict()'s. A row as a Float64Array gives its values as a Float64Array.
   */
  contributions(X: Matrix, options?: { iterations?: number }): Matrix;
  contributions(row: Float64Array, options?: { iterations?: number }): Float64Array;
  /** predict() as a promise. */
  predictAsync(X: Matrix, options?: PredictOptions): Promise<Float64Array | Matrix>;
  predictAsync(row: Float64Array, options?: PredictOptions): Promise<number | Float64Array>;
  /** The model as LightGBM's flat arrays (what the evaluators walk); absent for an ONNX model. */
  readonly lightgbm?: LightGbmModel;
}
