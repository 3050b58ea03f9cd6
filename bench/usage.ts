/**
 * Preloaded into every process the benchmark measures (`node --import …/usage.js …`): when the
 * process exits it writes its own CPU time (user + system) and peak RSS (getrusage `maxrss`) to
 * the file `INTAKE_BENCH_USAGE` names. The baseline and Intake are measured the same way, start-up
 * included: a whole process, as a user runs it.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.INTAKE_BENCH_USAGE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssBytes: usage.maxRSS * 1024 }));
  });
}
