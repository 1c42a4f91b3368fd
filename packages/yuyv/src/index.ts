export type { BoxMeanOptions } from './box-mean.ts';
export { boxMeanPlanes } from './box-mean.ts';
export { clampUnit } from './clamp.ts';
export type { RgbToYuvCoefficients, YuvToRgbCoefficients } from './color.ts';
export { ColorMatrix, ColorRange, rgbToYuvCoefficients, yuvToRgbCoefficients } from './color.ts';
export type { CompositeFrameOptions, CompositeOptions } from './composite.ts';
export { compositeFrame, compositeYuyv } from './composite.ts';
export type { ColorOptions, ConvertOptions } from './convert.ts';
export {
  bgrToYuyv,
  convertFrame,
  rgbaToYuyv,
  rgbToYuyv,
  yuyvToBgr,
  yuyvToRgb,
  yuyvToRgba,
} from './convert.ts';
export type { DeepsegErrorContext, DeepsegErrorOptions } from './errors.ts';
export { DeepsegError, isDeepsegError } from './errors.ts';
export type { GridLumaOptions, MaskToGridOptions, SmallRegionOptions } from './grid-inputs.ts';
export { gridLuma, maskToGrid, removeSmallRegions } from './grid-inputs.ts';
export type { GuidedBackground, GuidedCompositeOptions } from './guided-composite.ts';
export { guidedCompositeYuyv } from './guided-composite.ts';
export type { GuidedFilterOptions, TemporalMaskOptions } from './mask-grid.ts';
export { guidedFilterGrid, temporalMaskStep } from './mask-grid.ts';
export type { MirrorOptions } from './mirror.ts';
export { mirrorFrame, mirrorYuyv } from './mirror.ts';
export type { RgbFormat, YuvFormat } from './pixel-format.ts';
export { frameByteLength, isRgbFormat, isYuvFormat, PIXEL_FORMATS, PixelFormat } from './pixel-format.ts';
export type { RangeOptions } from './range.ts';
export { fullToLimitedRange } from './range.ts';
export type { Mask, ResizeMaskOptions } from './resize-mask.ts';
export { resizeMask } from './resize-mask.ts';
export type { FrameToTensorOptions, TensorSpec } from './tensor.ts';
export { containRect, frameToTensor } from './tensor.ts';
export type { Rect } from './validate.ts';
export { allocFloat32, allocFrame, freeFrame, isWasmFrame } from './wasm-frames.ts';
export type { WeightedBlurOptions } from './weighted-blur.ts';
export { weightedBlurPlanes } from './weighted-blur.ts';
