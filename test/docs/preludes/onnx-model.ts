// docs/ml.md "ONNX models": model.onnx, the MLP of test/ml/fixtures/onnx/ (scripts/ml-fixtures/generate_onnx.py).
import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const kernelbusRoot = dirname(createRequire(import.meta.url).resolve('kernelbus/package.json'));
copyFileSync(join(kernelbusRoot, 'test', 'ml', 'fixtures', 'onnx', 'mlp.onnx'), 'model.onnx');
