import { isPlaceholder, type Span } from './values';

/**
 * Secrets whose place, not their look, gives them away: the password of `curl -u user:pass`,
 * of `--password pass`, `mysql -ppass` and `docker login -p pass`, and the values of a
 * Kubernetes Secret's `data:` / `stringData:`. Both are masked whatever
 * the value looks like (short, plain words): the context says what it is.
 */

/** `-u user:password` / `--user=user:password` (curl, httpie, wget's --user). */
const USER_FLAG_RE = /((?<![\w-])(?:-u|--user|--proxy-user)(?:[ \t]+|=)["']?[^\s:"'$@]{1,64}:)([^\s"'@]{1,256})/g;

/** `--password pass` (space-separated; `--password=pass` is a plain assignment), `mysql -ppass`, `docker login -p pass`. */
const PASSWORD_FLAG_RE =
  /((?<![\w-])--password[ \t]+["']?|\b(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\n]{0,120}?[ \t]-p|\bdocker[ \t]+login\b[^\n]{0,120}?[ \t]-p[ \t]+["']?)([^\s"']{1,256})/g;

export function collectFormSpans(text: string, spans: Span[], priority: number): void {
  if (text.includes('-u') || text.includes('--user') || text.includes('--proxy-user')) collectUserFlags(text, spans, priority);
  if (text.includes('-p')) collectFlag(PASSWORD_FLAG_RE, text, spans, priority);
  if (text.includes('kind: Secret') || text.includes('kind: "Secret"')) collectKubernetesSecrets(text, spans, priority);
}

function collectUserFlags(text: string, spans: Span[], priority: number): void {
  collectFlag(USER_FLAG_RE, text, spans, priority);
}

/** Regexes with (kept prefix)(password) groups. */
function collectFlag(re: RegExp, text: string, spans: Span[], priority: number): void {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const user = m[1] ?? '';
    const pass = (m[2] ?? '').replace(/[;,)]+$/, '');
    // `docker run -u 1000:1000` is a uid:gid; `$PASS` and `${PASS}` are variables.
    if (pass.length === 0 || /^\d+$/.test(pass) || /^\$/.test(pass) || isPlaceholder(pass)) continue;
    const start = m.index + user.length;
    spans.push({ start, end: start + pass.length, kind: 'password', priority });
  }
}

/** `data:` / `stringData:` blocks of YAML documents that declare `kind: Secret`. */
function collectKubernetesSecrets(text: string, spans: Span[], priority: number): void {
  const ends = [...text.matchAll(/^---[ \t]*\r?$/gm)].map((m) => ({ at: m.index, next: m.index + m[0].length }));
  let start = 0;
  for (const sep of [...ends, { at: text.length, next: text.length }]) {
    const doc = text.slice(start, sep.at);
    if (/^kind:[ \t]*["']?Secret["']?[ \t]*\r?$/m.test(doc)) maskDataBlocks(doc, start, spans, priority);
    start = sep.next;
  }
}

function maskDataBlocks(doc: string, offset: number, spans: Span[], priority: number): void {
  const lines = doc.split('\n');
  let pos = 0;
  let blockIndent = -1; // indentation of the `data:` key while inside its block
  for (const full of lines) {
    const line = full.replace(/\r$/, '');
    const indent = /^[ \t]*/.exec(line)?.[0].length ?? 0;
    const blank = line.trim() === '' || line.trim().startsWith('#');
    if (blockIndent >= 0 && !blank && indent <= blockIndent) blockIndent = -1;
    if (blockIndent < 0) {
      const head = /^([ \t]*)(?:data|stringData):[ \t]*$/.exec(line);
      if (head) blockIndent = head[1]?.length ?? 0;
    } else if (!blank) {
      // `  key: value` (or a continuation line of a `|` block): the value is the secret.
      const kv = /^[ \t]*["']?[\w.-]+["']?:[ \t]*(["']?)(.*?)\1[ \t]*$/.exec(line);
      let start = -1;
      let value = '';
      if (kv && kv[2] !== undefined && !/^[|>][+-]?$/.test(kv[2])) {
        value = kv[2];
        start = line.lastIndexOf(value);
      } else if (!kv) {
        value = line.trim();
        start = line.indexOf(value);
      }
      if (start >= 0 && value.length > 0 && !isPlaceholder(value)) {
        spans.push({ start: offset + pos + start, end: offset + pos + start + value.length, kind: 'kubernetes-secret', priority });
      }
    }
    pos += full.length + 1;
  }
}
