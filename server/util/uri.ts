import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The file system path of a file: URI, or undefined for other schemes (untitled:, ...). */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/**
 * How a file is named in a prompt: relative to the workspace folder that holds it, else
 * its base name. The user's home directory and folder layout never leave the machine.
 */
export function displayPath(uri: string, roots: readonly string[]): string {
  const p = uriToPath(uri);
  if (p === undefined) {
    const tail = uri
      .replace(/[?#].*$/, '')
      .split(/[/\\:]/)
      .pop();
    return tail && tail !== '' ? decodeURIComponentSafe(tail) : 'untitled';
  }
  for (const root of roots) {
    const rel = path.relative(root, p);
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  }
  return path.basename(p);
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
