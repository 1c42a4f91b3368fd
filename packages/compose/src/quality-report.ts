// `pnpm quality`: flicker, responsiveness and a contact sheet on the real clip with real model masks.
import { runQuality } from './bench/quality.ts';

const report = await runQuality();
if (report === undefined) {
  console.log('quality report skipped: shared clip or ffmpeg missing');
} else {
  console.log(
    `clip: ${report.clip}\nmodel: ${report.model}\nstill pixels: ${report.stillThreshold} (${(report.stillShare * 100).toFixed(1)} % of pixel pairs)\npan: ${report.pan}\n`,
  );
  console.log(
    '| method | flicker (mean |Δα| on still px, ×1000) | vs raw | pops /Mpx | lag fast pan (frames) | lag slow pan (frames) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const m of report.methods) {
    console.log(
      `| ${m.method} | ${(m.flicker * 1000).toFixed(2)} | ${(m.flickerVsRaw * 100).toFixed(0)} % | ${m.popsPerMillion.toFixed(0)} | ${m.lagFrames.toFixed(2)} | ${m.slowLagFrames.toFixed(2)} |`,
    );
  }
  console.log(`\ncontact sheet: ${report.contactSheet}`);
}
