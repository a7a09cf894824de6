#!/usr/bin/env node
'use strict';
/**
 * Bundles what the .vsix ships, with esbuild:
 *   dist/extension.js         the extension (src/extension.ts + vscode-languageclient; `vscode` stays external)
 *   server/bin/codex-lsp.js   the server: the repository's own launcher (bin/codex-lsp.js) with the
 *                             dist/server/ that `npm run build` compiled, and its runtime dependencies
 *   server/package.json       name, version and addresses, where the server reads them from
 *   server/grammars/*.wasm    tree-sitter's runtime and the grammars the server loads
 *   THIRD_PARTY_NOTICES.txt   the licences of the bundled packages
 *   LICENSE                   the project's own licence, copied from the repository root
 * The server is not rebuilt or changed here: it is the same compiled code `codex-lsp` runs.
 *
 * Usage: node scripts/build.js [--check-server]   (run `npm run build` at the repository root first)
 */
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const HERE = path.resolve(__dirname, '..');
const REPO = path.resolve(HERE, '..', '..');

/** VS Code 1.90+ runs extensions (and the forked server) on Node 20. */
const TARGET = 'node20';

function packageRoot(file) {
  const parts = path.relative(REPO, file).split(path.sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const name = parts[at + 1]?.startsWith('@') ? parts.slice(at + 1, at + 3) : parts.slice(at + 1, at + 2);
  return path.join(REPO, ...parts.slice(0, at + 1), ...name);
}

function notices(metafiles, extraRoots = []) {
  const roots = new Set(extraRoots);
  for (const meta of metafiles) {
    for (const input of Object.keys(meta.inputs)) {
      const root = packageRoot(path.resolve(REPO, input));
      if (root) roots.add(root);
    }
  }
  const sections = [...roots].sort().map((root) => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const licenseFile = fs.readdirSync(root).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = licenseFile ? fs.readFileSync(path.join(root, licenseFile), 'utf8').trim() : `License: ${pkg.license ?? 'see package'}`;
    return `${pkg.name}@${pkg.version} (${pkg.license ?? 'unknown'})\n${'-'.repeat(60)}\n${text}\n`;
  });
  return `Third-party software bundled in this extension\n${'='.repeat(60)}\n\n${sections.join('\n\n')}`;
}

async function main() {
  const launcher = path.join(REPO, 'bin', 'codex-lsp.js');
  const compiled = path.join(REPO, 'dist', 'server', 'main.js');
  if (!fs.existsSync(compiled)) {
    throw new Error(`${path.relative(REPO, compiled)} is missing: run \`npm run build\` at the repository root first`);
  }
  for (const dir of ['dist', 'server']) fs.rmSync(path.join(HERE, dir), { recursive: true, force: true });

  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: TARGET,
    // Readable stack traces in the output channel matter more than a few hundred KB in a zip.
    minify: false,
    keepNames: true,
    sourcemap: false,
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: REPO,
  };
  const extension = await esbuild.build({
    ...common,
    entryPoints: [path.join(HERE, 'src', 'extension.ts')],
    outfile: path.join(HERE, 'dist', 'extension.js'),
    external: ['vscode'],
  });
  const server = await esbuild.build({
    ...common,
    entryPoints: [launcher],
    outfile: path.join(HERE, 'server', 'bin', 'codex-lsp.js'),
  });

  // version.ts reads ../package.json next to its file and accepts it when the name is codex-lsp.
  const root = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const serverPkg = {
    name: root.name,
    version: root.version,
    description: 'The codex-lsp server, bundled for the VS Code extension.',
    license: root.license,
    homepage: root.homepage,
    repository: root.repository,
    bugs: root.bugs,
    private: true,
  };
  fs.writeFileSync(path.join(HERE, 'server', 'package.json'), JSON.stringify(serverPkg, null, 2) + '\n');
  // The tree-sitter runtime and grammars (.wasm) sit next to the bundled server, where the server
  // looks for them first (server/syntax/grammars.ts); without them it would fall back to heuristics.
  const { WASM_FILES } = require(path.join(REPO, 'dist', 'server', 'syntax', 'grammars.js'));
  const grammarsRoot = path.dirname(require.resolve('tree-sitter-wasms/package.json', { paths: [REPO] }));
  const runtimeRoot = path.dirname(require.resolve('web-tree-sitter', { paths: [REPO] }));
  fs.mkdirSync(path.join(HERE, 'server', 'grammars'), { recursive: true });
  for (const file of WASM_FILES) {
    const from = file === 'tree-sitter.wasm' ? path.join(runtimeRoot, file) : path.join(grammarsRoot, 'out', file);
    fs.copyFileSync(from, path.join(HERE, 'server', 'grammars', file));
  }
  fs.writeFileSync(path.join(HERE, 'THIRD_PARTY_NOTICES.txt'), notices([extension.metafile, server.metafile], [grammarsRoot]));
  // One LICENSE in the repository; vsce packs the copy it finds next to the manifest.
  fs.copyFileSync(path.join(REPO, 'LICENSE'), path.join(HERE, 'LICENSE'));

  const size = (f) => `${(fs.statSync(f).size / 1024).toFixed(0)} KB`;
  const ext = path.join(HERE, 'dist', 'extension.js');
  const srv = path.join(HERE, 'server', 'bin', 'codex-lsp.js');
  process.stdout.write(`built ${path.relative(REPO, ext)} (${size(ext)}), ${path.relative(REPO, srv)} (${size(srv)}), server version ${root.version}\n`);
}

main().catch((err) => {
  process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
