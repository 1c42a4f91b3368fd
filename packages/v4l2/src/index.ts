export type { Mapping, Poller, V4l2Binding } from './binding.ts';
export {
  Capture,
  type CaptureOptions,
  type CaptureStats,
  type Frame,
  type FramesOptions,
  fpsToFraction,
  type NegotiatedFormat,
  openCapture,
} from './capture.ts';
export { BufType, Cap, Colorspace, Errno } from './constants.ts';
export { getDefaultBinding } from './default-binding.ts';
export {
  type DeviceCaps,
  type DeviceDescription,
  type DeviceInfo,
  type DiscoveryOptions,
  describeDevice,
  type FormatInfo,
  fractionToFps,
  listDevices,
  type SizeInfo,
} from './discovery.ts';
export { errnoName, V4l2ErrorCode } from './errors.ts';
export { Ioctl, type IoctlName } from './ioctl.ts';
export { LAYOUT } from './layout.ts';
export { Output, OutputColorspace, type OutputFormat, type OutputOptions, openOutput } from './output.ts';
export { createPacer, type Pacer } from './pacer.ts';
export { fourcc, fourccName, frameGeometry, PixelFormat } from './pixel-format.ts';
export type { Fraction, FrameInterval, FrameSize } from './structs.ts';
