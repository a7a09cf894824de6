import type { Node, Tree } from 'web-tree-sitter';

/**
 * What the features need from a syntax tree, the same for every grammar: definitions with
 * their names, signatures and doc comments, the definitions enclosing a line, the top-level
 * boundaries, and the names a range uses. Node types differ per grammar; the tables below
 * cover TypeScript/TSX, JavaScript, Python, Go, Rust, Java, C, C++, C#, Ruby, PHP, Lua, Bash.
 */

const FUNCTIONS = new Set([
  'function_declaration',
  'generator_function_declaration',
  'function_definition',
  'function_item',
  'method_definition',
  'method_declaration',
  'constructor_declaration',
  'method',
  'singleton_method',
  'local_function',
  'function_signature',
  'function_definition_statement',
  'local_function_definition_statement',
  'arrow_function',
  'function_expression',
  'function',
  'lambda_expression',
  'func_literal',
  'closure_expression',
]);
const TYPES = new Set([
  'class_declaration',
  'abstract_class_declaration',
  'class_definition',
  'class',
  'module',
  'interface_declaration',
  'type_alias_declaration',
  'enum_declaration',
  'struct_item',
  'enum_item',
  'trait_item',
  'impl_item',
  'mod_item',
  'type_declaration',
  'struct_specifier',
  'class_specifier',
  'enum_specifier',
  'union_specifier',
  'namespace_declaration',
  'namespace_definition',
  'record_declaration',
  'struct_declaration',
  'trait_declaration',
  'internal_module',
]);
/** Function nodes without a name of their own: named by the variable they are assigned to, or anonymous. */
const ANONYMOUS = new Set(['arrow_function', 'function_expression', 'function', 'lambda_expression', 'func_literal', 'closure_expression']);
const BODY_FIELDS = ['body', 'block'];
/** Leaves that name things, per grammar (`command_name` is how Bash calls a function). */
const IDENTIFIERS = ['identifier', 'type_identifier', 'property_identifier', 'field_identifier', 'constant', 'name', 'simple_identifier', 'command_name'];
const COMMENT = /comment/;

export interface Definition {
  name: string;
  kind: 'function' | 'type';
  /** 0-based lines, inclusive: the definition with its decorators. */
  startLine: number;
  endLine: number;
  /** Where the body starts (the line of `{` or `:`), or startLine. */
  bodyLine: number;
  /** The header up to the body, whitespace folded, cut to 240 characters. */
  signature: string;
  /** The doc comment above it (or Python's docstring), folded, cut to 300 characters. */
  doc?: string;
}

function isDefinitionNode(n: Node): boolean {
  if (FUNCTIONS.has(n.type)) return true;
  if (!TYPES.has(n.type)) return false;
  // C and C++ name a struct in every declaration that uses it (`struct box b;`): only one with a body defines it.
  return !n.type.endsWith('_specifier') || n.childForFieldName('body') !== null;
}

/** The node that carries a definition's decorators and comments (Python's decorated_definition, JS's export). */
function outerOf(n: Node): Node {
  let cur = n;
  // `const f = () => {}`: the declaration, not the arrow.
  if (ANONYMOUS.has(cur.type) && cur.parent?.type === 'variable_declarator') cur = cur.parent;
  for (;;) {
    const p = cur.parent;
    if (!p) return cur;
    if (
      p.type === 'decorated_definition' ||
      p.type === 'export_statement' ||
      p.type === 'lexical_declaration' ||
      p.type === 'variable_declaration' ||
      p.type === 'template_declaration'
    ) {
      cur = p;
      continue;
    }
    return cur;
  }
}

function declaratorName(n: Node | null): string | undefined {
  // C/C++: int *(*f)(int) -> walk the declarator chain to the identifier.
  for (let cur = n, depth = 0; cur && depth < 8; depth++) {
    if (/identifier$|^destructor_name$|^operator_name$/.test(cur.type)) return cur.text;
    cur =
      cur.childForFieldName('declarator') ??
      cur.childForFieldName('name') ??
      cur.namedChildren.find((c) => c !== null && /declarator|identifier/.test(c.type)) ??
      null;
  }
  return undefined;
}

/** A definition's own name, or undefined for an anonymous function. */
function nameOf(n: Node): string | undefined {
  const named = n.childForFieldName('name');
  if (named) return named.type === 'identifier' || !named.type.endsWith('declarator') ? lastWord(named.text) : declaratorName(named);
  if (ANONYMOUS.has(n.type)) {
    const p = n.parent;
    if (p?.type === 'variable_declarator' || p?.type === 'pair' || p?.type === 'assignment_expression' || p?.type === 'public_field_definition') {
      const target = p.childForFieldName('name') ?? p.childForFieldName('key') ?? p.childForFieldName('left') ?? p.childForFieldName('property');
      return target ? lastWord(target.text) : undefined;
    }
    return undefined;
  }
  if (n.type === 'impl_item') return n.childForFieldName('type')?.text;
  if (n.type === 'type_declaration') return n.namedChildren.find((c) => c?.type === 'type_spec')?.childForFieldName('name')?.text;
  if (n.type === 'function_definition' || n.type === 'function_declaration') return declaratorName(n.childForFieldName('declarator'));
  return undefined;
}

function lastWord(text: string): string {
  const m = /([\p{L}_$][\p{L}\p{N}_$]*)\s*$/u.exec(text);
  return m?.[1] ?? text;
}

function fold(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function bodyOf(n: Node): Node | null {
  for (const f of BODY_FIELDS) {
    const b = n.childForFieldName(f);
    if (b) return b;
  }
  return null;
}

function signatureOf(n: Node, outer: Node, source: string): { signature: string; bodyLine: number } {
  const body = bodyOf(n);
  const start = outer.type === 'decorated_definition' ? n.startIndex : outer.startIndex;
  const end = body ? body.startIndex : Math.min(n.endIndex, source.indexOf('\n', n.startIndex) < 0 ? n.endIndex : source.indexOf('\n', n.startIndex));
  return { signature: fold(source.slice(start, end), 240), bodyLine: body ? body.startPosition.row : n.startPosition.row };
}

function docOf(n: Node, outer: Node): string | undefined {
  const parts: string[] = [];
  let line = outer.startPosition.row;
  for (let prev = outer.previousNamedSibling; prev && COMMENT.test(prev.type) && prev.endPosition.row >= line - 1; prev = prev.previousNamedSibling) {
    parts.unshift(prev.text);
    line = prev.startPosition.row;
  }
  if (parts.length === 0) {
    // Python: a docstring, the first statement of the body.
    const first = bodyOf(n)?.namedChildren[0];
    const str = first?.type === 'expression_statement' ? first.namedChildren[0] : undefined;
    if (str?.type === 'string') parts.push(str.text);
  }
  if (parts.length === 0) return undefined;
  return fold(parts.join('\n'), 300);
}

function toDefinition(n: Node, source: string): Definition | undefined {
  const name = nameOf(n);
  if (!name) return undefined;
  const outer = outerOf(n);
  const { signature, bodyLine } = signatureOf(n, outer, source);
  const def: Definition = {
    name,
    kind: FUNCTIONS.has(n.type) ? 'function' : 'type',
    startLine: outer.startPosition.row,
    endLine: outer.endPosition.row,
    bodyLine,
    signature,
  };
  const doc = docOf(n, outer);
  if (doc) def.doc = doc;
  return def;
}

/** Every named definition in the tree (nested ones too: methods are found by name as well). */
export function definitionsIn(tree: Tree, source: string, max = 2000): Definition[] {
  const out: Definition[] = [];
  const types = [...FUNCTIONS, ...TYPES];
  for (const n of tree.rootNode.descendantsOfType(types)) {
    if (!n || !isDefinitionNode(n)) continue;
    const d = toDefinition(n, source);
    if (d) out.push(d);
    if (out.length >= max) break;
  }
  return out;
}

/** The definitions `line` is part of (functions, methods, classes; their headers included), nearest first. */
export function enclosingDefinitions(tree: Tree, source: string, line: number): Definition[] {
  const text = lineText(source, line);
  const col = Math.max(0, text.search(/\S/));
  let n: Node | null = tree.rootNode.descendantForPosition({ row: line, column: col });
  const out: Definition[] = [];
  for (; n; n = n.parent) {
    if (!isDefinitionNode(n)) continue;
    const outer = outerOf(n);
    const { signature, bodyLine } = signatureOf(n, outer, source);
    out.push({
      name: nameOf(n) ?? '(anonymous)',
      kind: FUNCTIONS.has(n.type) ? 'function' : 'type',
      startLine: outer.startPosition.row,
      endLine: outer.endPosition.row,
      bodyLine,
      signature,
    });
  }
  return out;
}

function lineText(source: string, line: number): string {
  let start = 0;
  for (let i = 0; i < line; i++) {
    const next = source.indexOf('\n', start);
    if (next < 0) return '';
    start = next + 1;
  }
  const end = source.indexOf('\n', start);
  return source.slice(start, end < 0 ? undefined : end);
}

/**
 * Lines where a top-level construct starts, comments and decorators above it included:
 * where a review chunk may be cut without splitting a function or class.
 */
export function topLevelStarts(tree: Tree): Set<number> {
  const starts = new Set<number>();
  const children = tree.rootNode.namedChildren;
  for (let i = 0; i < children.length; i++) {
    const c = children[i];
    if (!c || COMMENT.test(c.type)) continue;
    let start = c.startPosition.row;
    // A comment block directly above belongs to what it documents.
    for (let j = i - 1; j >= 0; j--) {
      const p = children[j];
      if (!p || !COMMENT.test(p.type) || p.endPosition.row < start - 1) break;
      start = p.startPosition.row;
    }
    starts.add(start);
  }
  return starts;
}

/** A name used in a range, and whether it is called there (calls are worth their signature most). */
export interface UsedName {
  name: string;
  called: boolean;
  /** Used as a member (`obj.name`, `pkg.Name`): only an imported file's definition is likely the one meant. */
  member?: boolean;
}

/** The names a range of lines uses, in order of first use, calls first; at most `max`. */
export function namesUsed(tree: Tree, startLine: number, endLine: number, max = 200): UsedName[] {
  const seen = new Map<string, UsedName>();
  const nodes = tree.rootNode.descendantsOfType(IDENTIFIERS, { row: startLine, column: 0 }, { row: endLine + 1, column: 0 });
  for (const n of nodes) {
    if (!n) continue;
    const name = n.text;
    if (name.length < 2 || name.length > 80) continue;
    const called = isCalled(n);
    const member = isMember(n);
    const known = seen.get(name);
    if (known) {
      known.called ||= called;
      // A name also used on its own is not only a member.
      if (!member) delete known.member;
      continue;
    }
    seen.set(name, member ? { name, called, member } : { name, called });
    if (seen.size >= max * 2) break;
  }
  const all = [...seen.values()];
  return [...all.filter((u) => u.called), ...all.filter((u) => !u.called)].slice(0, max);
}

function isMember(n: Node): boolean {
  const p = n.parent;
  return !!p && /member|field_expression|attribute|selector|scoped|method_invocation|invocation/.test(p.type) && p.firstNamedChild?.id !== n.id;
}

function isCalled(n: Node): boolean {
  if (n.type === 'command_name') return true;
  const p = n.parent;
  if (!p) return false;
  if (/call|invocation/.test(p.type))
    return (
      p.childForFieldName('function')?.id === n.id ||
      p.childForFieldName('method')?.id === n.id ||
      p.childForFieldName('name')?.id === n.id ||
      p.namedChildren[0]?.id === n.id
    );
  const g = p.parent;
  // obj.method(...), pkg.Func(...), a::b(...)
  return !!g && /member|field|attribute|selector|scoped|variable/.test(p.type) && /call|invocation/.test(g.type) && p.lastNamedChild?.id === n.id;
}
