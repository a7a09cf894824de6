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

/** Tries every `{` / `[` as the start of a balanced value, leftmost first. */
function balancedFrom(text: string): unknown {
  // Bounded so that a long answer full of braces stays linear-ish.
  let tries = 0;
  for (let i = 0; i < text.length && tries < 64; i++) {
    const c = text[i];
    if (c !== '{' && c !== '[') continue;
    tries++;
    const end = matchingEnd(text, i);
    if (end < 0) continue;
    const v = tryParse(text.slice(i, end + 1));
    if (v !== undefined && typeof v === 'object') return v;
  }
  return undefined;
}

/** Index of the bracket closing the one at `start`, skipping strings; -1 if unbalanced. */
function matchingEnd(text: string, start: number): number {
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
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
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
