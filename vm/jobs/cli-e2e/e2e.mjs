// The deepseg command on real drivers (see ../cli-e2e.sh). Under TCG everything runs 20-50x slower
// than on a real machine (measured here: one 256x144 inference 2.6-3.3 s, a 320x240 composite ~100 ms,
// with ffmpeg feeder and reader sharing the 2 emulated CPUs), so the stream is 160x120 at 4 fps and the
// model runs on every 2nd frame: the checks are about correctness on the real drivers, not speed.
import { equal, ok } from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSegmenter } from '../../../packages/segment/dist/index.js';
import { listDevices } from '../../../packages/v4l2/dist/index.js';

const run = promisify(execFile);
const repo = process.env.REPO_DIR ?? process.cwd();
const shared = process.env.DEEPSEG_SHARED ?? join(repo, '..', 'shared');
const CLIP = join(shared, 'media/doctor_desk_5s_960x540.mp4');
const BIN = join(repo, 'packages/cli/dist/bin.js');
const CAM = '/dev/video20';
const VCAM = '/dev/video21';
const W = 160;
const H = 120;
const FPS = 4;
const FRAME = W * H * 2;
const GREEN = { y: 145, u: 54, v: 34 }; // #00FF00, BT.601 limited
const BLUE = { y: 41, u: 240, v: 110 }; // #0000FF

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (s) => console.log(`# ${s}`);

function spawnLogged(cmd, args, name) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
    if (process.env.DEEPSEG_VM_VERBOSE) process.stderr.write(`[${name}] ${d}`);
  });
  child.stdout.on('data', () => {});
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return {
    name,
    child,
    exited,
    stderr: () => err,
    exited_: () => child.exitCode !== null || child.signalCode !== null,
  };
}

async function waitForCapture(path, why, timeoutMs = 180_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const d = (await listDevices()).find((x) => x.path === path);
    if (d?.caps.capture) return;
    if (why.exited_?.()) break;
    await sleep(250);
  }
  throw new Error(`${path} never advertised capture; ${why.name} said: ${why.stderr().slice(-1500)}`);
}

/** A fresh pair of loopback devices for each scenario (the format of the last writer sticks otherwise). */
async function reloadLoopback() {
  await run('modprobe', ['-r', 'v4l2loopback']);
  await run('modprobe', [
    'v4l2loopback',
    'devices=2',
    'exclusive_caps=1,1',
    'video_nr=20,21',
    'card_label=fake-camera,deepseg',
  ]);
  await run('udevadm', ['settle']).catch(() => sleep(200));
}

/** Reads `count` frames (or `seconds` of video) from a device with ffmpeg; returns frames + ffmpeg's stream line. */
async function consume(path, { count, seconds }) {
  const limit = count ? ['-frames:v', String(count)] : ['-t', String(seconds)];
  const t0 = performance.now();
  const { stdout, stderr } = await run(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'info',
      '-f',
      'v4l2',
      '-i',
      path,
      ...limit,
      '-fps_mode',
      'passthrough',
      '-f',
      'rawvideo',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 256 << 20 },
  );
  const wallMs = performance.now() - t0;
  const frames = [];
  for (let o = 0; o + FRAME <= stdout.length; o += FRAME) frames.push(stdout.subarray(o, o + FRAME));
  const stream =
    stderr
      .toString()
      .split('\n')
      .find((l) => /Stream #0:0: Video:/.test(l)) ?? '';
  return { frames, stream, wallMs };
}

/** The delivery rate a reader sees, from the buffer timestamps of `count` consecutive frames. */
async function measureRate(path, count) {
  const { stderr } = await run(
    'ffmpeg',
    [
      '-hide_banner',
      '-f',
      'v4l2',
      '-i',
      path,
      '-frames:v',
      String(count),
      '-vf',
      'showinfo',
      '-f',
      'null',
      '-',
    ],
    {
      maxBuffer: 64 << 20,
    },
  );
  const pts = [...stderr.matchAll(/pts_time:\s*([0-9.]+)/g)].map((m) => Number(m[1]));
  if (pts.length < 2) throw new Error(`no frame timestamps from ffmpeg: ${stderr.slice(-500)}`);
  return { frames: pts.length, fps: (pts.length - 1) / (pts.at(-1) - pts[0]) };
}

/** The newest --stats line deepseg printed. */
function statsLine(p) {
  return (
    p
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('fps '))
      .at(-1) ?? '(no stats yet)'
  );
}

/** Pixels (pair indices) that the model calls background (or person) in every one of the clip frames. */
const RAW = `/tmp/clip-${W}x${H}-yuyv.raw`;

async function robustRegions() {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-i',
      CLIP,
      '-vf',
      `fps=${FPS},scale=${W}:${H}:flags=bicubic`,
      '-frames:v',
      '50',
      '-pix_fmt',
      'yuyv422',
      '-f',
      'rawvideo',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 256 << 20 },
  );
  writeFileSync(RAW, stdout);

  const seg = await createSegmenter();
  const mask = seg.createMask();
  const pairs = (W / 2) * H;
  const bgAll = new Uint8Array(pairs).fill(1);
  const fgAll = new Uint8Array(pairs).fill(1);
  const count = Math.floor(stdout.length / FRAME);
  if (count < 10) throw new Error(`only ${count} frames decoded from ${CLIP}`);
  for (let f = 0; f < count; f += 3) {
    await seg.segment(
      {
        data: new Uint8Array(stdout.subarray(f * FRAME, (f + 1) * FRAME)),
        width: W,
        height: H,
        format: 'YUYV',
      },
      mask,
    );
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x += 2) {
        const m =
          mask[
            Math.floor((y * seg.output.height) / H) * seg.output.width +
              Math.floor(((x + 1) * seg.output.width) / W)
          ];
        const p = y * (W / 2) + x / 2;
        if (m > 0.02) bgAll[p] = 0;
        if (m < 0.98) fgAll[p] = 0;
      }
    }
  }
  await seg.dispose();
  return { bgAll, fgAll };
}

/** Waits until `p`'s stderr contains `text` (`times` times). */
async function waitForLog(p, text, timeoutMs = 120_000, times = 1) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (p.stderr().split(text).length - 1 >= times) return;
    if (p.exited_()) break;
    await sleep(200);
  }
  throw new Error(`deepseg never said "${text}"; it said: ${p.stderr().slice(-1500)}`);
}

/** Counts descriptors other processes hold on a device node (as fuser would). */
async function holders(path) {
  const { stdout } = await run('sh', [
    '-c',
    `ls -l /proc/[0-9]*/fd 2>/dev/null | grep -c -- "-> ${path}$" || true`,
  ]);
  return Number(stdout.trim());
}

/** ffmpeg replaying the clip's decoded frames (RAW) at FPS into the camera loopback, encoded by `encode`. */
function feedCamera(encode) {
  return spawnLogged(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-re',
      '-stream_loop',
      '-1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuyv422',
      '-video_size',
      `${W}x${H}`,
      '-framerate',
      String(FPS),
      '-i',
      RAW,
      ...encode,
      '-f',
      'v4l2',
      CAM,
    ],
    'camera',
  );
}

/** --on-demand on the real driver: inotify sees a reader open the virtual camera; the camera follows. */
async function onDemand() {
  await reloadLoopback();
  const feeder = feedCamera(['-pix_fmt', 'yuyv422']);
  try {
    await waitForCapture(CAM, feeder);
    const deepseg = spawnLogged(
      process.execPath,
      [
        BIN,
        '--camera',
        CAM,
        '--loopback',
        VCAM,
        '--size',
        `${W}x${H}`,
        '--background',
        'color=#00FF00',
        '--on-demand',
        '--on-demand-linger',
        '1000',
      ],
      'deepseg',
    );
    try {
      await waitForLog(deepseg, 'camera released (on-demand)');
      // idle: the virtual camera is still listed as a camera (the output stays STREAMON'ed)...
      await waitForCapture(VCAM, deepseg);
      // ...and deepseg holds no descriptor on the real camera (the feeder holds one)
      const idleHolders = await holders(CAM);
      const a = await consume(VCAM, { count: 5 });
      equal(a.frames.length, 5, 'a reader gets frames from an idle on-demand virtual camera');
      ok(
        deepseg.stderr().includes('a program opened the virtual camera; starting the camera'),
        'inotify saw the reader',
      );
      ok(share(a.frames.at(-1), regions.bgAll, GREEN).share > 0.5, 'the frames are composited');
      await waitForLog(deepseg, 'camera released (on-demand)', 60_000, 2);
      const released = deepseg.stderr().split('camera released (on-demand)').length - 1;
      ok(released >= 2, `camera released again after the reader left (${released} times)`);
      const afterHolders = await holders(CAM);
      log(`on-demand: camera descriptors while idle ${idleHolders}, after the reader left ${afterHolders}`);
      equal(afterHolders, idleHolders, 'deepseg closed the camera again');
      deepseg.child.kill('SIGTERM');
      equal(await Promise.race([deepseg.exited, sleep(20000).then(() => 'timeout')]), 0, 'clean exit');
    } finally {
      if (deepseg.child.exitCode === null) deepseg.child.kill('SIGKILL');
    }
  } finally {
    feeder.child.kill('SIGTERM');
    await feeder.exited;
  }
}

function share(frame, region, colour) {
  let n = 0;
  let hit = 0;
  for (let p = 0; p < region.length; p++) {
    if (!region[p]) continue;
    n++;
    const o = p * 4;
    if (
      Math.abs(frame[o] - colour.y) <= 8 &&
      Math.abs(frame[o + 1] - colour.u) <= 8 &&
      Math.abs(frame[o + 3] - colour.v) <= 8
    )
      hit++;
  }
  return { n, share: n ? hit / n : 0 };
}

async function scenario(format, regions) {
  await reloadLoopback();
  const feedArgs =
    format === 'YUYV' ? ['-pix_fmt', 'yuyv422'] : ['-c:v', 'mjpeg', '-q:v', '4', '-pix_fmt', 'yuvj422p'];
  // the clip's frames, decoded once (robustRegions), replayed at FPS: no H.264 decoding in the loop
  const feeder = feedCamera(feedArgs);
  const config = `/tmp/deepseg-${format}.json`;
  writeFileSync(config, JSON.stringify({ background: 'color=#00FF00' }));
  try {
    await waitForCapture(CAM, feeder);
    const t0 = performance.now();
    const deepseg = spawnLogged(
      process.execPath,
      [
        BIN,
        '--camera',
        CAM,
        '--loopback',
        VCAM,
        '--size',
        `${W}x${H}`,
        // no --fps: a loopback "camera" advertises v4l2loopback's default 30 fps whatever the feeder
        // writes; the rate check below measures what really arrives
        '--format',
        format,
        '--infer-every',
        '2',
        '--config',
        config,
        '--stats',
      ],
      'deepseg',
    );
    try {
      await waitForCapture(VCAM, deepseg);
      log(`${format}: virtual camera up after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      await sleep(15000); // first masks (seconds each under TCG), temporal smoothing settles
      const rate = await measureRate(VCAM, 3 * FPS);
      log(
        `${format}: ${rate.frames} frames at ${rate.fps.toFixed(2)} fps (frame timestamps); deepseg: ${statsLine(deepseg)}`,
      );
      ok(
        rate.fps >= FPS * 0.8,
        `frames arrive at the source rate: ${rate.fps.toFixed(2)} fps, source ${FPS}`,
      );
      const a = await consume(VCAM, { count: 5 });
      log(`${format}: ${a.stream.trim()}`);
      ok(/yuyv422/.test(a.stream) && new RegExp(`${W}x${H}`).test(a.stream), `YUYV ${W}x${H}: ${a.stream}`);
      const last = a.frames.at(-1);
      const bg = share(last, regions.bgAll, GREEN);
      const fg = share(last, regions.fgAll, GREEN);
      log(
        `${format}: background green ${(bg.share * 100).toFixed(1)}% of ${bg.n}; person green ${(fg.share * 100).toFixed(1)}% of ${fg.n}`,
      );
      ok(bg.n > 500 && bg.share > 0.9, 'background pixels are green');
      ok(fg.n > 200 && fg.share < 0.05, 'the person is kept');

      writeFileSync(config, JSON.stringify({ background: 'color=#0000FF' }));
      deepseg.child.kill('SIGHUP');
      await sleep(5000);
      const b = await consume(VCAM, { count: 5 });
      equal(b.frames.length, 5);
      const blue = share(b.frames.at(-1), regions.bgAll, BLUE);
      log(`${format}: after SIGHUP background blue ${(blue.share * 100).toFixed(1)}%`);
      ok(blue.share > 0.9, 'SIGHUP switched the background to blue without a restart');
      ok(deepseg.child.exitCode === null, 'deepseg kept running across SIGHUP');

      deepseg.child.kill('SIGTERM');
      const code = await Promise.race([deepseg.exited, sleep(20000).then(() => 'timeout')]);
      equal(code, 0, `deepseg exit after SIGTERM: ${code}; stderr: ${deepseg.stderr().slice(-500)}`);
      ok(/frames written/.test(deepseg.stderr()), 'summary printed');
    } finally {
      if (deepseg.child.exitCode === null) deepseg.child.kill('SIGKILL');
    }
    // both devices usable afterwards: the camera for the next reader...
    const c = await consume(CAM, { count: 3 });
    ok(/Stream #0:0: Video:/.test(c.stream), `camera readable after deepseg released it: ${c.stream}`);
    // ...and the virtual camera for the next writer and reader
    const writer = spawnLogged(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-re',
        '-f',
        'lavfi',
        '-i',
        `testsrc=size=${W}x${H}:rate=${FPS}`,
        '-pix_fmt',
        'yuyv422',
        '-f',
        'v4l2',
        VCAM,
      ],
      'writer2',
    );
    try {
      await waitForCapture(VCAM, writer);
      const d = await consume(VCAM, { count: 3 });
      equal(d.frames.length, 3, 'virtual camera usable by the next writer and reader');
    } finally {
      writer.child.kill('SIGTERM');
      await writer.exited;
    }
  } finally {
    feeder.child.kill('SIGTERM');
    await feeder.exited;
  }
}

const results = [];
// devices and doctor as a user runs them, on the real drivers
{
  const t0 = performance.now();
  try {
    const devices = await run(process.execPath, [BIN, 'devices']);
    log(devices.stdout.trim().split('\n').join('\n# '));
    ok(
      /\/dev\/video21 +deepseg +\[virtual camera \(v4l2loopback\)/.test(devices.stdout),
      'devices lists the virtual camera',
    );
    const doctor = await run(process.execPath, [BIN, 'doctor', '--json']).catch((e) => e); // exit 10: no real camera here
    const findings = JSON.parse(doctor.stdout);
    ok(
      findings.some((f) => f.status === 'ok' && f.title === 'v4l2loopback exclusive_caps=1'),
      'doctor sees exclusive_caps=1',
    );
    ok(
      findings.some((f) => f.status === 'problem' && f.title === 'no camera found'),
      'doctor reports the missing camera',
    );
    equal(doctor.code, 10, 'doctor exits 10 on problems');
    results.push(true);
    console.log(
      `ok - deepseg devices and doctor on v4l2loopback (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
  } catch (e) {
    results.push(false);
    console.log(`not ok - deepseg devices and doctor: ${e?.stack ?? e}`);
  }
}
let regions;
try {
  regions = await robustRegions();
  log(
    `robust background pairs ${regions.bgAll.reduce((a, b) => a + b, 0)}, person pairs ${regions.fgAll.reduce((a, b) => a + b, 0)}`,
  );
} catch (e) {
  console.log(`not ok - model masks of the clip: ${e?.stack ?? e}`);
  process.exit(1);
}
for (const format of ['YUYV', 'MJPEG']) {
  const t0 = performance.now();
  try {
    await scenario(format, regions);
    results.push(true);
    console.log(
      `ok - deepseg ${format} camera -> virtual camera (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
  } catch (e) {
    results.push(false);
    console.log(`not ok - deepseg ${format} camera -> virtual camera: ${e?.stack ?? e}`);
  }
}
{
  const t0 = performance.now();
  try {
    await onDemand();
    results.push(true);
    console.log(
      `ok - deepseg --on-demand follows readers of the virtual camera (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
  } catch (e) {
    results.push(false);
    console.log(`not ok - deepseg --on-demand: ${e?.stack ?? e}`);
  }
}
const passed = results.filter(Boolean).length;
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exitCode = passed === results.length ? 0 : 1;
