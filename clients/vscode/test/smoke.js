#!/usr/bin/env node
'use strict';
/**
 * Loads a built (or unpacked .vsix) extension against a small stand-in for the `vscode` API,
 * activates it, and drives it the way VS Code would: the real vscode-languageclient starts the
 * bundled server, which pulls its settings through the extension's middleware; then a hover and
 * a code-action listing go through the providers the client registered, the usage command runs,
 * "Set API Key" (answering the input box with $SMOKE_NEW_KEY) and "Restart Server" restart the
 * server, and a second hover goes to the new one. VS Code itself cannot run headless here; everything below the `vscode` module is real.
 *
 * Usage: node test/smoke.js EXTENSION_DIR FILE   (FILE's first line is hovered at column 5)
 * Prints one JSON object on stdout. The model endpoint comes from the environment as usual.
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

const [extDir, file] = process.argv.slice(2);
if (!extDir || !file) {
  process.stderr.write('usage: node test/smoke.js EXTENSION_DIR FILE\n');
  process.exit(2);
}

const noEvent = () => ({ dispose() {} });
/** API the stand-in does not provide (for the report: vscode-languageclient touches much more than it needs here). */
const missing = new Set();

function universal(name) {
  // A function, not an arrow: only a constructor target lets the proxy be called with `new`.
  // biome-ignore lint/complexity/useArrowFunction: see above
  return new Proxy(function () {}, {
    get(_t, p) {
      if (p === 'then' || typeof p === 'symbol') return undefined;
      return universal(`${name}.${String(p)}`);
    },
    apply() {
      missing.add(`${name}()`);
      return universal(`${name}()`);
    },
    construct() {
      missing.add(`new ${name}`);
      return universal(`new ${name}`);
    },
  });
}

function partial(name, obj) {
  return new Proxy(obj, {
    get(t, p) {
      if (p in t || typeof p === 'symbol') return t[p];
      missing.add(`${name}.${String(p)}`);
      return universal(`${name}.${String(p)}`);
    },
  });
}

class Uri {
  constructor(scheme, p) {
    this.scheme = scheme;
    this.path = p;
    this.fsPath = p;
    this.authority = '';
    this.query = '';
    this.fragment = '';
  }
  static file(p) {
    return new Uri('file', p);
  }
  static parse(s) {
    const m = /^([a-z-]+):(?:\/\/)?(.*)$/.exec(s);
    return m ? new Uri(m[1], decodeURIComponent(m[2])) : new Uri('file', s);
  }
  toString() {
    return this.scheme === 'file' ? `file://${encodeURI(this.path)}` : `${this.scheme}:${this.path}`;
  }
  toJSON() {
    return this.toString();
  }
}
class Position {
  constructor(line, character) {
    this.line = line;
    this.character = character;
  }
}
class Range {
  constructor(a, b, c, d) {
    [this.start, this.end] = typeof a === 'number' ? [new Position(a, b), new Position(c, d)] : [a, b];
  }
}
class MarkdownString {
  constructor(value = '') {
    this.value = value;
  }
  appendMarkdown(v) {
    this.value += v;
    return this;
  }
  appendText(v) {
    this.value += v;
    return this;
  }
  appendCodeblock(v, lang = '') {
    this.value += `\n\`\`\`${lang}\n${v}\n\`\`\`\n`;
    return this;
  }
}
class Hover {
  constructor(contents, range) {
    this.contents = Array.isArray(contents) ? contents : [contents];
    this.range = range;
  }
}
class CodeActionKind {
  constructor(value) {
    this.value = value;
  }
  append(part) {
    return new CodeActionKind(this.value ? `${this.value}.${part}` : part);
  }
  contains(other) {
    return this.value === '' || other.value === this.value || other.value.startsWith(`${this.value}.`);
  }
  intersects(other) {
    return this.contains(other) || other.contains(this);
  }
}
for (const [k, v] of Object.entries({
  Empty: '',
  QuickFix: 'quickfix',
  Refactor: 'refactor',
  RefactorExtract: 'refactor.extract',
  RefactorInline: 'refactor.inline',
  RefactorMove: 'refactor.move',
  RefactorRewrite: 'refactor.rewrite',
  Source: 'source',
  SourceOrganizeImports: 'source.organizeImports',
  SourceFixAll: 'source.fixAll',
  Notebook: 'notebook',
})) {
  CodeActionKind[k] = new CodeActionKind(v);
}
class CodeAction {
  constructor(title, kind) {
    this.title = title;
    this.kind = kind;
  }
}
class Diagnostic {
  constructor(range, message, severity) {
    this.range = range;
    this.message = message;
    this.severity = severity;
  }
}
class EventEmitter {
  constructor() {
    this.listeners = [];
    this.event = (f) => {
      this.listeners.push(f);
      return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== f)) };
    };
  }
  fire(e) {
    for (const f of this.listeners) f(e);
  }
  dispose() {}
}
class Disposable {
  constructor(f) {
    this.f = f;
  }
  static from(...ds) {
    return new Disposable(() => ds.forEach((d) => d?.dispose?.()));
  }
  dispose() {
    if (this.f) this.f();
  }
}
class CancellationError extends Error {}

const text = fs.readFileSync(file, 'utf8');
const lines = text.split('\n');
const document = {
  uri: Uri.file(path.resolve(file)),
  fileName: path.resolve(file),
  languageId: 'python',
  version: 1,
  isUntitled: false,
  isClosed: false,
  isDirty: false,
  lineCount: lines.length,
  eol: 1,
  getText: () => text,
  lineAt: (n) => ({ text: lines[typeof n === 'number' ? n : n.line] ?? '' }),
};

const providers = {};
const registered = (kind) => (_selector, provider) => {
  providers[kind] = provider;
  return new Disposable();
};
const commands = new Map();
const messages = [];
let output = '';
const channel = (name) => ({
  name,
  append: (t) => (output += t),
  appendLine: (t) => (output += `${t}\n`),
  show() {},
  clear() {},
  dispose() {},
  hide() {},
  replace() {},
});
/** What the user put in settings.json (user scope). */
const userSettings = { 'hover.delayMs': 0, 'diagnostics.enabled': false };

const vscode = partial('vscode', {
  Uri,
  Position,
  Range,
  MarkdownString,
  Hover,
  CodeAction,
  CodeActionKind,
  Diagnostic,
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  CodeActionTriggerKind: { Invoke: 1, Automatic: 2 },
  EventEmitter,
  Disposable,
  CancellationError,
  ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  version: '1.90.0',
  env: partial('env', { language: 'en', appName: 'smoke', machineId: 'smoke', sessionId: 'smoke', uiKind: 1 }),
  window: partial('window', {
    createOutputChannel: channel,
    showErrorMessage: async (m) => void messages.push(`error: ${m}`),
    showWarningMessage: async (m) => void messages.push(`warning: ${m}`),
    showInformationMessage: async (m) => void messages.push(`info: ${m}`),
    showInputBox: async (opts) => {
      messages.push(`input: ${opts.title}${opts.password ? ' (password)' : ''}`);
      return process.env.SMOKE_NEW_KEY;
    },
    onDidChangeActiveTextEditor: noEvent,
    onDidChangeVisibleTextEditors: noEvent,
    visibleTextEditors: [],
    activeTextEditor: undefined,
    tabGroups: { all: [], onDidChangeTabs: noEvent, onDidChangeTabGroups: noEvent },
  }),
  commands: partial('commands', {
    registerCommand: (id, f) => {
      commands.set(id, f);
      return new Disposable(() => commands.delete(id));
    },
    executeCommand: async () => undefined,
  }),
  workspace: partial('workspace', {
    isTrusted: true,
    workspaceFolders: undefined,
    textDocuments: [document],
    notebookDocuments: [],
    getConfiguration: () => ({
      inspect: (key) => (key in userSettings ? { key, globalValue: userSettings[key] } : { key }),
      get: (key, fallback) => (key in userSettings ? userSettings[key] : fallback),
      has: (key) => key in userSettings,
    }),
    getWorkspaceFolder: () => undefined,
    ...Object.fromEntries(
      [
        'onDidGrantWorkspaceTrust',
        'onDidChangeConfiguration',
        'onDidOpenTextDocument',
        'onDidCloseTextDocument',
        'onDidChangeTextDocument',
        'onDidSaveTextDocument',
        'onWillSaveTextDocument',
        'onDidChangeWorkspaceFolders',
        'onDidCreateFiles',
        'onDidRenameFiles',
        'onDidDeleteFiles',
        'onWillCreateFiles',
        'onWillRenameFiles',
        'onWillDeleteFiles',
        'onDidOpenNotebookDocument',
        'onDidChangeNotebookDocument',
        'onDidSaveNotebookDocument',
        'onDidCloseNotebookDocument',
      ].map((e) => [e, noEvent]),
    ),
  }),
  languages: partial('languages', {
    match: (selector, doc) =>
      []
        .concat(selector)
        .some((f) =>
          typeof f === 'string' ? f === doc.languageId : (!f.scheme || f.scheme === doc.uri.scheme) && (!f.language || f.language === doc.languageId),
        )
        ? 10
        : 0,
    createDiagnosticCollection: () => ({ set() {}, delete() {}, clear() {}, dispose() {}, forEach() {}, get: () => [], has: () => false }),
    registerHoverProvider: registered('hover'),
    registerCodeActionsProvider: registered('codeActions'),
  }),
});

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };

const token = { isCancellationRequested: false, onCancellationRequested: noEvent };
/** VS Code's SecretStorage: changes fire onDidChange, in this window too. */
const secrets = new Map();
const secretChanges = new EventEmitter();

async function until(what, test, ms = 15000) {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function main() {
  const pkg = JSON.parse(fs.readFileSync(path.join(extDir, 'package.json'), 'utf8'));
  const extension = require(path.resolve(extDir, pkg.main));
  const context = {
    subscriptions: [],
    extensionPath: path.resolve(extDir),
    extensionMode: 1,
    extension: { packageJSON: pkg },
    secrets: {
      get: async (k) => secrets.get(k),
      store: async (k, v) => {
        secrets.set(k, v);
        secretChanges.fire({ key: k });
      },
      delete: async (k) => {
        secrets.delete(k);
        secretChanges.fire({ key: k });
      },
      onDidChange: secretChanges.event,
    },
  };
  const t0 = Date.now();
  extension.activate(context);
  const activateMs = Date.now() - t0;
  await until('the hover and code action providers', () => providers.hover && providers.codeActions);

  const hover = await providers.hover.provideHover(document, new Position(0, 5), token);
  const actions = await providers.codeActions.provideCodeActions(document, new Range(0, 0, 0, 3), { diagnostics: [], triggerKind: 1, only: undefined }, token);
  await commands.get('codex.showUsage')();

  // "Codex: Set API Key" stores the key and the server restarts with it; then "Restart Server".
  let restarts = 0;
  for (const command of ['codex.setApiKey', 'codex.restartServer']) {
    providers.hover = undefined;
    await commands.get(command)();
    await until(`the providers after ${command}`, () => providers.hover);
    restarts++;
  }
  const hoverAfterRestart = await providers.hover.provideHover(document, new Position(1, 11), token);

  const result = {
    activateMs,
    commands: [...commands.keys()].filter((c) => c.startsWith('codex.')).sort(),
    hover: hover ? hover.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n') : null,
    actions: (actions ?? []).map((a) => ({ title: a.title, kind: a.kind?.value })),
    restarts,
    hoverAfterRestart: hoverAfterRestart ? hoverAfterRestart.contents.map((c) => c.value).join('\n') : null,
    messages,
    output,
  };
  await extension.deactivate();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((err) => {
  process.stdout.write(`${JSON.stringify({ error: String(err?.stack || err), messages, output, missing: [...missing] })}\n`);
  process.exit(1);
});
