export type { AnyBackend, Backend, BackendCapabilities, BackendSession, LoadRequest } from './backend.ts';
export {
  BACKEND_API_VERSION,
  registerBackend,
  registeredBackends,
  selectBackend,
  unregisterBackend,
} from './backend.ts';
export type { ResolvedModelFile, ResolveOptions } from './convert.ts';
export { resolveModelFile } from './convert.ts';
export { decodePersonProbability } from './decode.ts';
export { SegmentErrorCode } from './errors.ts';
export type { InputGeometry, ModelManifest, ModelSource, OutputGeometry } from './manifest.ts';
export {
  ChannelOrder,
  inputShape,
  ModelFormat,
  manifestFormat,
  OutputDecode,
  outputShape,
  parseManifest,
  parseManifestText,
  TensorLayout,
} from './manifest.ts';
export type { MaskView } from './mask-agreement.ts';
export { foregroundShare, maskIoU } from './mask-agreement.ts';
export { modelCacheDir, modelsDir } from './paths.ts';
export type { PullOptions, PullProgress, PullResult } from './pull.ts';
export { pullModel } from './pull.ts';
export type { Registry, RegistryOptions } from './registry.ts';
export { DEFAULT_MODEL, getModel, loadRegistry, modelFilePath, verifiedModelFile } from './registry.ts';
export type { FrameInput, Segmenter, SegmenterOptions, SegmentTimings, TensorInput } from './segmenter.ts';
export { createSegmenter } from './segmenter.ts';
