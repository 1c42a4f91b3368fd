export type { ConvertOptions, ConvertReport, ConvertResult, TensorInfo } from './convert.ts';
export { convert, OPSET, supportedOps, VERSION } from './convert.ts';
export { converterDigest } from './digest.ts';
export type { Tflite2OnnxErrorOptions } from './errors.ts';
export { isTflite2OnnxError, Tflite2OnnxError, Tflite2OnnxErrorCode } from './errors.ts';
