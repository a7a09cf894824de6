// biome-ignore format: a table, one entry per line as written
const BY_EXTENSION: Record<string, string> = {
  ts: 'typescript', tsx: 'typescriptreact', mts: 'typescript', cts: 'typescript',
  js: 'javascript', jsx: 'javascriptreact', mjs: 'javascript', cjs: 'javascript',
  py: 'python', pyi: 'python', rb: 'ruby', go: 'go', rs: 'rust', java: 'java', kt: 'kotlin', kts: 'kotlin',
  scala: 'scala', swift: 'swift', c: 'c', h: 'c', cc: 'cpp', cpp: 'cpp', cxx: 'cpp', hpp: 'cpp', hh: 'cpp',
  cs: 'csharp', fs: 'fsharp', php: 'php', lua: 'lua', sh: 'shellscript', bash: 'shellscript', zsh: 'shellscript',
  fish: 'fish', ps1: 'powershell', el: 'emacs-lisp', clj: 'clojure', ex: 'elixir', exs: 'elixir', erl: 'erlang',
  hs: 'haskell', ml: 'ocaml', mli: 'ocaml', dart: 'dart', r: 'r', jl: 'julia', nim: 'nim', zig: 'zig',
  sql: 'sql', html: 'html', htm: 'html', css: 'css', scss: 'scss', less: 'less', vue: 'vue', svelte: 'svelte',
  json: 'json', jsonc: 'jsonc', yaml: 'yaml', yml: 'yaml', toml: 'toml', xml: 'xml', md: 'markdown',
  tf: 'terraform', proto: 'protobuf', vim: 'vim', nix: 'nix', pl: 'perl', pm: 'perl', groovy: 'groovy',
  gradle: 'groovy', sol: 'solidity', v: 'verilog', vhd: 'vhdl', m: 'objective-c', mm: 'objective-cpp',
};

// biome-ignore format: a table, one entry per line as written
const BY_NAME: Record<string, string> = {
  makefile: 'makefile', gnumakefile: 'makefile', dockerfile: 'dockerfile', 'cmakelists.txt': 'cmake',
  gemfile: 'ruby', rakefile: 'ruby', justfile: 'just', 'build.gradle': 'groovy',
};

/**
 * Editors name languages differently (Neovim filetypes, Emacs modes, VS Code ids); one
 * canonical name keeps prompts, and so cache entries, the same from every editor and the
 * command line.
 */
// biome-ignore format: a table, one entry per line as written
const ALIASES: Record<string, string> = {
  js: 'javascript', jsx: 'javascriptreact', mjs: 'javascript', ts: 'typescript', tsx: 'typescriptreact',
  'typescript-tsx': 'typescriptreact', 'js-jsx': 'javascriptreact', 'js2': 'javascript', rjsx: 'javascriptreact',
  sh: 'shellscript', bash: 'shellscript', zsh: 'shellscript', 'sh-base': 'shellscript', shell: 'shellscript',
  'c++': 'cpp', cc: 'cpp', cs: 'csharp', 'c#': 'csharp', make: 'makefile', 'makefile-gmake': 'makefile',
  py: 'python', rb: 'ruby', rs: 'rust', golang: 'go', 'go-dot-mod': 'go', kt: 'kotlin', yml: 'yaml',
  'emacs-lisp': 'emacs-lisp', elisp: 'emacs-lisp', lisp: 'lisp', 'objc': 'objective-c', 'objcpp': 'objective-cpp',
  dockerfile: 'dockerfile', 'docker-compose': 'yaml', jsonc: 'jsonc', json5: 'json5',
};

/** Ids that say nothing about the language (eglot's "prog", generic text). */
const GENERIC = new Set(['', 'prog', 'text', 'plaintext', 'fundamental', 'unknown', 'plain']);

/**
 * The language to name in a prompt: the client's languageId, or the file name's when the
 * client sends a generic id (eglot sends "prog" for modes it does not know).
 */
export function languageOf(languageId: string | undefined, fileName: string): string {
  const raw = (languageId ?? '')
    .trim()
    .toLowerCase()
    .replace(/-(ts-)?mode$/, '');
  const id = ALIASES[raw] ?? raw;
  if (!GENERIC.has(id)) return id;
  const base = fileName.split(/[/\\]/).pop()?.toLowerCase() ?? '';
  if (BY_NAME[base]) return BY_NAME[base];
  const ext = base.includes('.') ? base.slice(base.lastIndexOf('.') + 1) : '';
  return BY_EXTENSION[ext] ?? (id === '' ? 'plaintext' : id);
}
