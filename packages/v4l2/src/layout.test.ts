import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BufFlag,
  BufType,
  CAP_TIMEPERFRAME,
  Cap,
  Colorspace,
  Errno,
  Field,
  FrmType,
  Memory,
  OpenFlag,
} from './constants.ts';
import { Ioctl, ioctlArgSize } from './ioctl.ts';
import { LAYOUT } from './layout.ts';
import { fourcc } from './pixel-format.ts';

// Compiles a C program against the system's <linux/videodev2.h> (gcc + linux-libc-dev) and checks
// every size, offset, request number and constant the package hard-codes. x86-64 and arm64 share
// these values; see README "Platforms" for 32-bit.
function cValues(): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'v4l2-layout-'));
  const exe = join(dir, 'layout');
  execFileSync('gcc', ['-O0', '-o', exe, join(import.meta.dirname, '__fixtures__', 'videodev2-layout.c')]);
  return JSON.parse(execFileSync(exe, { encoding: 'utf8' })) as Record<string, number>;
}

const arch = process.arch;

describe.skipIf(arch !== 'x64' && arch !== 'arm64')(
  'struct layouts and ioctl numbers match <linux/videodev2.h>',
  () => {
    const c = cValues();
    const structs: [string, keyof typeof LAYOUT, Record<string, string>][] = [
      ['v4l2_capability', 'capability', {}],
      ['v4l2_fmtdesc', 'fmtdesc', {}],
      ['v4l2_frmsizeenum', 'frmsizeenum', { union: 'discrete' }],
      ['v4l2_frmivalenum', 'frmivalenum', { union: 'discrete' }],
      ['v4l2_format', 'format', {}],
      ['v4l2_pix_format', 'pix_format', {}],
      ['v4l2_streamparm', 'streamparm', {}],
      ['v4l2_captureparm', 'captureparm', {}],
      ['v4l2_outputparm', 'captureparm', { capturemode: 'outputmode', readbuffers: 'writebuffers' }],
      ['v4l2_requestbuffers', 'requestbuffers', {}],
      ['v4l2_buffer', 'buffer', { timestamp_usec: 'timestamp.tv_usec' }],
      ['v4l2_control', 'control', {}],
    ];
    for (const [cName, key, rename] of structs) {
      it(`${cName}: size and every field offset`, () => {
        const layout = LAYOUT[key] as Record<string, number>;
        expect(layout.size, `sizeof ${cName}`).toBe(c[`sizeof ${cName}`]);
        for (const [field, offset] of Object.entries(layout)) {
          if (field === 'size') continue;
          const cField = rename[field] ?? field;
          expect(offset, `${cName}.${cField}`).toBe(c[`${cName}.${cField}`]);
        }
      });
    }
    it('the union members start where the layout says', () => {
      expect(c['v4l2_frmsizeenum.stepwise']).toBe(LAYOUT.frmsizeenum.union);
      expect(c['v4l2_frmivalenum.stepwise']).toBe(LAYOUT.frmivalenum.union);
    });
    it('every ioctl request number, and the argument size it encodes', () => {
      for (const [name, request] of Object.entries(Ioctl)) {
        expect(request, name).toBe(c[name]);
      }
      expect(ioctlArgSize(Ioctl.VIDIOC_DQBUF)).toBe(c['sizeof v4l2_buffer']);
    });
    it('every constant', () => {
      const check = (prefix: string, table: Record<string, number>) => {
        for (const [name, value] of Object.entries(table))
          expect(value, prefix + name).toBe(c[prefix + name]);
      };
      check('V4L2_BUF_TYPE_', BufType);
      check('V4L2_MEMORY_', Memory);
      check('V4L2_FIELD_', Field);
      check('V4L2_CAP_', Cap);
      check('V4L2_BUF_FLAG_', BufFlag);
      check('V4L2_FRMSIZE_TYPE_', FrmType);
      check('V4L2_COLORSPACE_', Colorspace);
      check('', Errno);
      check('', OpenFlag);
      expect(CAP_TIMEPERFRAME).toBe(c.V4L2_CAP_TIMEPERFRAME);
      const pix: Record<string, string> = {
        YUYV: 'YUYV',
        MJPEG: 'MJPG',
        NV12: 'NV12',
        YUV420: 'YU12',
        UYVY: 'UYVY',
        RGB24: 'RGB3',
        BGR24: 'BGR3',
        GREY: 'GREY',
      };
      for (const [cName, name] of Object.entries(pix))
        expect(fourcc(name), name).toBe(c[`V4L2_PIX_FMT_${cName}`]);
    });
  },
);
