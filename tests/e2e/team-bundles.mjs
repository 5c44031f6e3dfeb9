// A coordinator's team of bundles, for tests/e2e/team-import.test.mjs and tests/bench/bench-import.mjs:
// one bundle per officer with records of their own (`bench_bundles --shape team`, which also has 500 of
// officer 1's records edited by every other officer).
//
//   const files = await teamBundles({ officers: 20, records: 5000 });   // paths, in officer order
//
// The one command that makes them is `teamCommand` below. Where the example has no `--shape team` yet,
// each officer's bundle is made by itself with its own seed: own records only, none shared. Set
// TEAM_GENERATOR=single to force that, or TEAM_GENERATOR=team to insist on the team shape.
// Bundles are cached under target/team-bundles/<officers>x<records>-<shape>/ and made once.
import { execFile } from 'node:child_process';
import { mkdir, readdir, rename, rm, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './helpers.mjs';

const run = promisify(execFile);
const CARGO = ['run', '--quiet', '-p', 'liaison-cli', '--example', 'bench_bundles', '--'];

/** Whether bench_bundles knows `--shape team`. */
async function hasTeamShape() {
  const { stdout } = await run('cargo', [...CARGO, '--help'], { cwd: ROOT, maxBuffer: 1 << 20 });
  return stdout.includes('--shape');
}

/** The generator commands (cargo arguments) that write the team into `dir`, one after the other. */
export async function teamCommand(dir, { officers, records }) {
  const wanted = process.env.TEAM_GENERATOR ?? 'auto';
  const team = wanted === 'team' || (wanted === 'auto' && (await hasTeamShape()));
  if (team) {
    return { shape: 'team', commands: [[...CARGO, dir, '--shape', 'team', '--bundles', `${officers}`, '--records', `${records}`]] };
  }
  const commands = [];
  for (let i = 1; i <= officers; i++) {
    commands.push([...CARGO, join(dir, `officer-${i}`), '--bundles', '1', '--records', `${records}`, '--seed', `${1000 + i}`]);
  }
  return { shape: 'single', commands };
}

/**
 * Makes (once) and returns the paths of a team's bundles, one per officer, sorted.
 * @param {{ officers: number, records: number }} team
 */
export async function teamBundles({ officers, records }) {
  const base = join(ROOT, 'target', 'team-bundles');
  const probe = await teamCommand(join(base, 'probe'), { officers, records });
  const dir = join(base, `${officers}x${records}-${probe.shape}`);
  const done = join(dir, 'DONE');
  // The team shape writes each format into a folder of its own (v1/, v3/): the app reads v3.
  const listed = async () => {
    const at = (await readdir(dir)).includes('v3') ? join(dir, 'v3') : dir;
    return (await readdir(at)).filter((f) => /\.json$/.test(f)).sort().map((f) => join(at, f));
  };
  try {
    await readFile(done);
    return await listed();
  } catch {
    // Not made yet.
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const { commands } = await teamCommand(dir, { officers, records });
  for (const args of commands) await run('cargo', args, { cwd: ROOT, maxBuffer: 16 << 20 });
  if (probe.shape === 'single') {
    // One folder per officer: bring the bundles together, numbered in officer order.
    for (let i = 1; i <= officers; i++) {
      const sub = join(dir, `officer-${i}`);
      for (const f of await readdir(sub)) {
        await rename(join(sub, f), join(dir, `${String(i).padStart(2, '0')}-${f.replace(/^\d+-/, '')}`));
      }
      await rm(sub, { recursive: true });
    }
  }
  await writeFile(done, `${new Date().toISOString()}\n`);
  return listed();
}
