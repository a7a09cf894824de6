import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../server/config/settings';
import { KEY_VARIABLES } from '../../server/config/env';
import { REPO_ROOT } from '../support/paths';

const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('documents every setting the server declares', () => {
    for (const s of SETTINGS) expect(readme, s.key).toContain(`| \`${s.key}\``);
  });
  it('documents every key variable and the two commands', () => {
    for (const v of KEY_VARIABLES) expect(readme).toContain(v);
    expect(readme).toContain('npm ci');
    expect(readme).toContain('npm test');
    expect(readme).toContain('codex-lsp --stdio');
  });
});
