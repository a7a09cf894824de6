/**
 * Finds the JSON value a model meant to give, in text that may wrap it in a Markdown
 * fence, put prose before or after it, or leave a trailing comma. Returns undefined when
 * nothing parses; never throws.
 */
export function extractJson(text: string): unknown {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') return undefined;
  const direct = tryParse(trimmed);
  if (direct !== undefined) return direct;

  // Fenced blocks first: ```json ... ``` (or any fence), in order.
  const fence = /```[\w-]*[ \t]*\r?\n?([\s\S]*?)```/g;
  for (let m = fence.exec(trimmed); m; m = fence.exec(trimmed)) {
    const inner = (m[1] ?? '').trim();
    const v = tryParse(inner) ?? balancedFrom(inner);
    if (v !== undefined) return v;
  }
  return balancedFrom(trimmed);
}

/**
 * Tries each top-level `{` / `[` as the start of a balanced value, leftmost first. A value is
 * never taken from inside another that failed (cut off, mismatched, not JSON): in a truncated
 * `{"diagnostics": [{...}, {...` the first finding is not the answer.
 */
function balancedFrom(text: string): unknown {
  // Bounded so that a long answer full of braces stays linear-ish.
  let tries = 0;
  for (let i = 0; i < text.length && tries < 64; i++) {
    const c = text[i];
    if (c !== '{' && c !== '[') continue;
    tries++;
    const end = matchingEnd(text, i);
    // Never closed: everything after `i` is inside it.
    if (end === undefined) return undefined;
    if (end.closed) {
      const v = tryParse(text.slice(i, end.index + 1));
      if (v !== undefined && typeof v === 'object') return v;
    }
    // What starts inside a failed candidate is nested in it: go on after it.
    i = end.index;
  }
  return undefined;
}

/**
 * Where the bracket opened at `start` is closed (`closed`), or where its structure breaks on a
 * mismatched bracket; undefined when the text ends first. Strings are skipped.
 */
function matchingEnd(text: string, start: number): { index: number; closed: boolean } | undefined {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') stack.push('}');
    else if (c === '[') stack.push(']');
    else if (c === '}' || c === ']') {
      if (stack.pop() !== c) return { index: i, closed: false };
      if (stack.length === 0) return { index: i, closed: true };
    }
  }
  return undefined;
}

function tryParse(text: string): unknown {
  if (text === '' || (text[0] !== '{' && text[0] !== '[')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Models like trailing commas; remove them outside strings and try once more.
    const repaired = withoutTrailingCommas(text);
    if (repaired === text) return undefined;
    try {
      return JSON.parse(repaired) as unknown;
    } catch {
      return undefined;
    }
  }
}

function withoutTrailingCommas(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (inString) {
      out += c;
      if (c === '\\' && i + 1 < text.length) out += text[++i];
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === ',') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j] as string)) j++;
      if (text[j] === '}' || text[j] === ']') continue;
    }
    out += c;
  }
  return out;
}
