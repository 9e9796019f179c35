/**
 * `kernelbus/ml` (docs/ml.md): models trained elsewhere served here. loadModel() reads a LightGBM text
 * model (booster.save_model()) and predicts as LightGBM does: raw scores, the objective's output, the
 * first k iterations; or an ONNX model, run by onnxruntime-node (an optional peer dependency) through
 * predictAsync().
 */
export { loadModel, type Model, type ModelSource, type PredictOptions } from './model.js';
export { parseLightGbm, type LightGbmModel } from './lightgbm-text.js';
