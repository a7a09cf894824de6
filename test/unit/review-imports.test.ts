import { describe, expect, it } from 'vitest';
import { relevantImports } from '../../server/review/imports';

describe('relevantImports', () => {
  const imports = [
    "import { readFile, writeFile } from 'node:fs/promises';",
    "import * as path from 'node:path';",
    'import {',
    '  createHash,',
    '  randomBytes,',
    "} from 'node:crypto';",
    "import Foo from './foo';",
  ];

  it('keeps only the statements whose names the chunk uses, whole', () => {
    const chunk = ['const h = createHash("sha256");', "const p = path.join(dir, 'x');"];
    expect(relevantImports(imports, chunk)).toEqual([
      "import * as path from 'node:path';",
      'import {',
      '  createHash,',
      '  randomBytes,',
      "} from 'node:crypto';",
    ]);
  });

  it('is stable: adding an import the chunk does not use changes nothing', () => {
    const chunk = ['await readFile(p);'];
    const before = relevantImports(imports, chunk);
    const after = relevantImports(["import { z } from 'zod';", ...imports], chunk);
    expect(after).toEqual(before);
  });

  it('understands Go, Python, Rust and C forms', () => {
    expect(relevantImports(['import (', '\t"fmt"', '\t"net/http"', ')'], ['http.ListenAndServe(":80", nil)'])).toEqual([
      'import (',
      '\t"fmt"',
      '\t"net/http"',
      ')',
    ]);
    expect(relevantImports(['from collections import OrderedDict', 'import os'], ['x = os.getcwd()'])).toEqual(['import os']);
    expect(relevantImports(['use std::collections::HashMap;', 'use std::io;'], ['let m: HashMap<u8, u8> = HashMap::new();'])).toEqual([
      'use std::collections::HashMap;',
    ]);
    // C headers do not name the symbols they declare: left out unless the header's name is used.
    expect(relevantImports(['#include <stdio.h>', '#include "util.h"'], ['util_init();', 'printf("x");'])).toEqual([]);
    expect(relevantImports(['#include "config.h"'], ['if (config.debug) {}'])).toEqual(['#include "config.h"']);
  });

  it('drops a half-typed import that would swallow the file', () => {
    const half = ['import {', ...Array.from({ length: 30 }, (_, i) => `const v${i} = ${i};`)];
    expect(relevantImports(half, ['const x = v3;'])).toEqual([]);
  });
});
