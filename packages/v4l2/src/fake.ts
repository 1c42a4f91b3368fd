// Entry of the `@deepseg/v4l2/fake` subpath: the scriptable fake binding for unit tests.
export { Errno } from './constants.ts';
export {
  FakeDevice,
  type FakeDeviceSpec,
  type FakeFormat,
  type FakeFrameRequest,
  FakeV4l2,
} from './fake-binding.ts';
