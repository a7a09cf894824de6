import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatSarif, INFORMATION_URI } from '../../server/cli/format';
import { PACKAGE } from '../../server/version';
import { REPO_ROOT } from '../support/paths';

const read = (p: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(REPO_ROOT, p), 'utf8')) as Record<string, unknown>;

describe('package metadata', () => {
  it('package.json names the repository, homepage and issue tracker, and the extension shares them', () => {
    const root = read('package.json');
    const ext = read('clients/vscode/package.json');
    expect(root.repository).toEqual({ type: 'git', url: expect.stringMatching(/^git\+https:\/\/.+\.git$/) });
    expect(root.homepage).toEqual(expect.stringMatching(/^https:\/\//));
    expect(root.bugs).toEqual({ url: expect.stringMatching(/^https:\/\/.+\/issues$/) });
    for (const key of ['repository', 'homepage', 'bugs', 'license']) expect(ext[key], key).toEqual(root[key]);
  });

  it('SARIF links come from them, not from a placeholder', () => {
    const root = read('package.json');
    expect(PACKAGE.homepage).toBe(root.homepage);
    expect(INFORMATION_URI).toBe((root.repository as { url: string }).url.replace(/^git\+/, '').replace(/\.git$/, ''));
    const finding = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, severity: 'error' as const, message: 'm' };
    const file = { path: 'a.ts', uri: pathToFileURL(path.join(REPO_ROOT, 'a.ts')).href, findings: [finding] };
    const sarif = JSON.parse(formatSarif([file] as unknown as Parameters<typeof formatSarif>[0], { toolVersion: '1.0.0', root: REPO_ROOT })) as {
      runs: Array<{ tool: { driver: { informationUri: string; rules: Array<{ helpUri: string }> } } }>;
    };
    expect(sarif.runs[0]?.tool.driver.informationUri).toBe(INFORMATION_URI);
    expect(sarif.runs[0]?.tool.driver.rules[0]?.helpUri).toBe(root.homepage);
  });
});
