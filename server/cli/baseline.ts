/**
 * Baselines: `--baseline FILE` takes an earlier `--format json` or `--format sarif` output;
 * findings already in it are known, not new: they are not reported and do not fail the run.
 *
 * A finding is matched by its fingerprint: a hash of the file (relative to the repository),
 * the message, and the quoted code with the lines around it, each whitespace-collapsed.
 * Line numbers are not in it, so a finding is still known after lines above it move; an
 * edit of the flagged code or of its neighbours makes it new, which is what a gate wants.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { messageOf } from '../util/text';

/** The key of the fingerprint in SARIF `partialFingerprints` (versioned: a new recipe gets a new key). */
export const FINGERPRINT_KEY = 'codexLsp/v1';

export interface FingerprintInput {
  /** Relative to the repository (or project) folder, '/' separators. */
  file: string;
  message: string;
  /** The code under the finding's range. */
  quote: string;
  /** The whole line before the finding's first line, and after its last ('' at the edges). */
  before: string;
  after: string;
}

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

export function fingerprint(f: FingerprintInput): string {
  const parts = [f.file, squash(f.message).toLowerCase(), squash(f.quote), squash(f.before), squash(f.after)];
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

class BaselineError extends Error {}

/**
 * The fingerprints in an earlier output. Refuses (with a message saying what to do) a file
 * that is missing, not JSON, of another shape, or made before findings carried fingerprints:
 * a baseline that silently matched nothing would fail the gate on every old finding.
 */
export async function readBaseline(file: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new BaselineError(`cannot read the baseline ${file}: ${messageOf(err)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new BaselineError(`the baseline ${file} is not JSON: give an earlier --format json or --format sarif output`);
  }
  const out = new Set<string>();
  let findings = 0;
  const obj = data as { files?: unknown; runs?: unknown };
  if (Array.isArray(obj?.files)) {
    for (const f of obj.files as Array<{ findings?: unknown }>) {
      for (const x of Array.isArray(f?.findings) ? (f.findings as Array<{ fingerprint?: unknown }>) : []) {
        findings++;
        if (typeof x?.fingerprint === 'string') out.add(x.fingerprint);
      }
    }
  } else if (Array.isArray(obj?.runs)) {
    for (const run of obj.runs as Array<{ results?: unknown }>) {
      for (const r of Array.isArray(run?.results) ? (run.results as Array<{ partialFingerprints?: Record<string, unknown>; baselineState?: unknown }>) : []) {
        // A result an earlier baseline run reported as gone is not in the code any more.
        if (r?.baselineState === 'absent') continue;
        findings++;
        const fp = r?.partialFingerprints?.[FINGERPRINT_KEY];
        if (typeof fp === 'string') out.add(fp);
      }
    }
  } else {
    throw new BaselineError(`the baseline ${file} is neither a codex-lsp --format json output nor a SARIF log`);
  }
  if (findings > 0 && out.size === 0) {
    throw new BaselineError(`the baseline ${file} has findings without fingerprints (made by an older codex-lsp): make it again with this version`);
  }
  return out;
}
