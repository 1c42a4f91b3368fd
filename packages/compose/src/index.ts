export type { Compositor, CompositorOptions, FrameMaskGeometry } from './compositor.ts';
export { createCompositor } from './compositor.ts';
export type { MaskGeometry, Roi } from './layout.ts';
export type {
  BackgroundSpec,
  BlurBackgroundSpec,
  ColorBackgroundSpec,
  FeatherOptions,
  GuidedOptions,
  ImageBackgroundSpec,
  RefineOptions,
  ResolvedRefine,
  TemporalOptions,
  VideoBackgroundSpec,
} from './options.ts';
export {
  BackgroundFit,
  BackgroundType,
  DEFAULT_REFINE,
  FeatherDirection,
  resolveRefineOptions,
} from './options.ts';
