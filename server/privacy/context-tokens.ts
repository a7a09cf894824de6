/**
 * Context detectors: secrets recognised by what stands right before them -- an AWS
 * secret key after its name, a JWT, `Bearer` / `Basic` credentials, a password in a URL.
 * Each is a regex with (prefix)(secret) groups; group 1 is kept.
 */
import { tokenLooksSecret } from './secret-values';
import { isPlaceholder, type Span } from './values';

interface TokenDetector {
  kind: string | ((secret: string) => string);
  re: RegExp;
  /** Cheap substring pre-check (case-sensitive) before running the regex. */
  hint?: string | RegExp;
  /** Extra validation of the secret part. */
  accept?: (secret: string) => boolean;
}

const TOKEN_DETECTORS: readonly TokenDetector[] = [
  {
    kind: 'aws-secret-key',
    re: /((?<![A-Za-z0-9])(?:aws[_-]?secret[_-]?(?:access[_-]?)?key|secret[_-]?access[_-]?key)["'\]]{0,2}[ \t]{0,8}(?::=|=>|=|:)[ \t]{0,8}["']?)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
    hint: /secret/i,
  },
  {
    kind: 'jwt',
    re: /()(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,2000}\.[A-Za-z0-9_-]{5,8000}\.[A-Za-z0-9_-]{0,2000}/g,
    hint: 'eyJ',
  },
  {
    kind: 'bearer-token',
    re: /((?<![A-Za-z0-9_])[Bb]earer[ \t]{1,4})([A-Za-z0-9._~+/-]{8,4096}=*)/g,
    hint: /earer/,
    accept: (s) => tokenLooksSecret(s),
  },
  {
    kind: 'basic-auth',
    re: /((?<![A-Za-z0-9_-])(?:proxy-)?authorization["']?[ \t]{0,4}[:=][ \t]{0,4}["']?[ \t]{0,4}basic[ \t]{1,4})([A-Za-z0-9+/]{8,4096}={0,2})/gi,
    hint: /basic/i,
    accept: (s) => !isPlaceholder(s),
  },
  {
    kind: 'url-credentials',
    // scheme://user:password@ -- user (possibly empty) is kept, password redacted.
    re: /((?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,20}:\/\/[^\s:/?#@"'`<>]{0,128}:)([^\s/?#@"'`<>]{1,256})(?=@)/g,
    hint: '://',
    accept: (s) => !isPlaceholder(s),
  },
];

/** Detector i gets priority `base + i`: earlier detectors win ties. */
export function collectTokenSpans(text: string, spans: Span[], base: number): void {
  TOKEN_DETECTORS.forEach((det, index) => {
    if (det.hint !== undefined) {
      const ok = typeof det.hint === 'string' ? text.includes(det.hint) : det.hint.test(text);
      if (!ok) return;
    }
    const re = det.re;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const prefix = m[1] ?? '';
      const secret = m[2] ?? m[0].slice(prefix.length);
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      if (det.accept && !det.accept(secret)) continue;
      const start = m.index + prefix.length;
      const kind = typeof det.kind === 'string' ? det.kind : det.kind(secret);
      spans.push({ start, end: start + secret.length, kind, priority: base + index });
    }
  });
}
