import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importedFiles } from '../../server/context/imports';

const root = mkdtempSync(path.join(tmpdir(), 'codex-imports-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
function files(list: Record<string, string>): void {
  for (const [name, text] of Object.entries(list)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
}
files({
  'web/util/round.ts': '',
  'web/money/index.ts': '',
  'web/legacy.js': '',
  'py/pkg/__init__.py': '',
  'py/pkg/pricing.py': '',
  'py/pkg/tax/rates.py': '',
  'go/shop/cart.go': '',
  'go/shop/price.go': '',
  'go/shop/price_test.go': '',
  'c/include/money.h': '',
  'c/src/money.c': '',
  'c/src/money.h': '',
  'rs/src/money/mod.rs': '',
  'rs/src/tax.rs': '',
  'java/src/main/java/com/shop/Money.java': '',
  'rb/lib/money.rb': '',
  'lua/shop/money.lua': '',
});
const rel = (list: string[]): string[] => list.map((f) => path.relative(root, f));

describe('importedFiles: what a file imports, resolved as its language does', () => {
  it('TypeScript and JavaScript: relative specifiers, extensions, index files, .js naming a .ts', () => {
    const text = "import { round } from './util/round.js';\nimport money from './money';\nconst old = require('./legacy');\nimport * as fs from 'node:fs';\n";
    expect(rel(importedFiles(path.join(root, 'web/app.ts'), text, 'typescript', [root]))).toEqual(['web/util/round.ts', 'web/money/index.ts', 'web/legacy.js']);
  });
  it('Python: absolute, relative and module imports', () => {
    const text = 'from pkg.pricing import apply\nfrom .tax import rates\nimport os\n';
    expect(rel(importedFiles(path.join(root, 'py/pkg/checkout.py'), text, 'python', [path.join(root, 'py')]))).toEqual([
      'py/pkg/pricing.py',
      'py/pkg/tax/rates.py',
    ]);
  });
  it('Go: the other files of the package, not its tests', () => {
    expect(rel(importedFiles(path.join(root, 'go/shop/cart.go'), 'package shop\n', 'go', [root]))).toEqual(['go/shop/price.go']);
  });
  it('C: quoted includes and the own header; Rust: mod and use crate::', () => {
    expect(rel(importedFiles(path.join(root, 'c/src/money.c'), '#include "money.h"\n#include <stdio.h>\n', 'c', [path.join(root, 'c')]))).toEqual([
      'c/src/money.h',
    ]);
    expect(rel(importedFiles(path.join(root, 'rs/src/main.rs'), 'mod money;\nuse crate::tax::rate;\n', 'rust', [path.join(root, 'rs')]))).toEqual([
      'rs/src/money/mod.rs',
      'rs/src/tax.rs',
    ]);
  });
  it('Java, Ruby, Lua', () => {
    expect(rel(importedFiles(path.join(root, 'java/src/main/java/com/shop/Cart.java'), 'import com.shop.Money;\n', 'java', [path.join(root, 'java')]))).toEqual(
      ['java/src/main/java/com/shop/Money.java'],
    );
    expect(rel(importedFiles(path.join(root, 'rb/lib/cart.rb'), "require_relative 'money'\n", 'ruby', [root]))).toEqual(['rb/lib/money.rb']);
    expect(rel(importedFiles(path.join(root, 'lua/main.lua'), 'local m = require("shop.money")\n', 'lua', [path.join(root, 'lua')]))).toEqual([
      'lua/shop/money.lua',
    ]);
  });
});
