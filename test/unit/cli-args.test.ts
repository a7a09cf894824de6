import { describe, expect, it } from 'vitest';
import { parseReviewArgs, UsageError } from '../../server/cli/args';

const refs = new Set(['main', 'HEAD~1', 'docs', 'cafe']);
const isRef = async (w: string): Promise<boolean> => refs.has(w);

describe('parseReviewArgs', () => {
  it('reads paths, formats and levels', async () => {
    const a = await parseReviewArgs(['src', 'lib/x.ts', '--format', 'sarif', '--fail-on=warning'], isRef);
    expect(a).toMatchObject({ paths: ['src', 'lib/x.ts'], format: 'sarif', failOn: 'warning', changed: undefined, fix: false });
  });

  it('--changed takes a base only when the next word names a commit and is not a path', async () => {
    expect((await parseReviewArgs(['--changed'], isRef)).changed).toBe('');
    expect(await parseReviewArgs(['--changed', 'main', 'src'], isRef)).toMatchObject({ changed: 'main', paths: ['src'] });
    expect(await parseReviewArgs(['--changed', 'src'], isRef)).toMatchObject({ changed: '', paths: ['src'] });
    // A folder named like a branch (or like a hex commit prefix) stays a path.
    const isPath = (w: string): boolean => w === 'docs' || w === 'cafe';
    expect(await parseReviewArgs(['--changed', 'docs'], isRef, isPath)).toMatchObject({ changed: '', paths: ['docs'] });
    expect(await parseReviewArgs(['--changed=docs'], isRef, isPath)).toMatchObject({ changed: 'docs', paths: [] });
  });

  it('--fix and --dry-run; -- ends the options', async () => {
    expect(await parseReviewArgs(['--fix', '--dry-run'], isRef)).toMatchObject({ fix: true, dryRun: true });
    expect((await parseReviewArgs(['--', '--weird-name.ts'], isRef)).paths).toEqual(['--weird-name.ts']);
  });

  it('refuses what it does not know, clearly', async () => {
    await expect(parseReviewArgs(['--format', 'xml'], isRef)).rejects.toThrow(/--format must be text, json or sarif, not "xml"/);
    await expect(parseReviewArgs(['--fail-on', 'fatal'], isRef)).rejects.toThrow(/--fail-on must be one of error, warning, information, hint/);
    await expect(parseReviewArgs(['--dry-run'], isRef)).rejects.toThrow(/--dry-run goes with --fix/);
    await expect(parseReviewArgs(['--frobnicate'], isRef)).rejects.toBeInstanceOf(UsageError);
    await expect(parseReviewArgs(['--format'], isRef)).rejects.toThrow(/--format needs a value/);
  });

  it('--staged, --filter-mode, --baseline, and what does not go together', async () => {
    expect(await parseReviewArgs(['--staged'], isRef)).toMatchObject({ staged: true, changed: undefined, filterMode: 'added' });
    expect(await parseReviewArgs(['--changed', '--filter-mode', 'diff_context'], isRef)).toMatchObject({ filterMode: 'diff_context' });
    expect(await parseReviewArgs(['--staged', '--filter-mode=file', '--baseline', 'b.sarif'], isRef)).toMatchObject({
      filterMode: 'file',
      baseline: 'b.sarif',
    });
    await expect(parseReviewArgs(['--staged', '--changed'], isRef)).rejects.toThrow(/--staged and --changed do not go together/);
    await expect(parseReviewArgs(['--filter-mode', 'file'], isRef)).rejects.toThrow(/--filter-mode goes with --changed or --staged/);
    await expect(parseReviewArgs(['--fix', '--dry-run', '--format', 'text'], isRef)).rejects.toThrow(/--format does not go with --fix --dry-run/);
    await expect(parseReviewArgs(['--baseline'], isRef)).rejects.toThrow(/--baseline needs a value/);
    // A word after --changed that names no commit is kept, to be named if it is no file either.
    expect(await parseReviewArgs(['--changed', 'mian'], isRef)).toMatchObject({ changed: '', paths: ['mian'], changedWord: 'mian' });
  });
});
