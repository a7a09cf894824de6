import { describe, expect, it } from 'vitest';
import { createIgnoreMatcher, DEFAULT_IGNORE } from '../../server/privacy/ignore';

const ROOT = '/home/u/my project';
const ROOT_URI = 'file:///home/u/my%20project';

describe('DEFAULT_IGNORE', () => {
  const m = createIgnoreMatcher(DEFAULT_IGNORE, [ROOT_URI]);

  it.each([
    `${ROOT_URI}/.env`,
    `${ROOT_URI}/.env.local`,
    `${ROOT_URI}/.env.production`,
    `${ROOT_URI}/services/api/.env`,
    `${ROOT_URI}/services/api/.env.development.local`,
    `${ROOT_URI}/docker/prod.env`,
    `${ROOT_URI}/.envrc`,
    `${ROOT_URI}/certs/server.pem`,
    `${ROOT_URI}/deep/nested/dir/tls.key`,
    `${ROOT_URI}/keys/store.p12`,
    `${ROOT_URI}/keys/store.pfx`,
    `${ROOT_URI}/android/app/release.keystore`,
    `${ROOT_URI}/android/app/upload.jks`,
    `${ROOT_URI}/id_rsa`,
    `${ROOT_URI}/deploy/id_ed25519`,
    `${ROOT_URI}/deploy/id_ecdsa.pub`,
    `${ROOT_URI}/.npmrc`,
    `${ROOT_URI}/.pypirc`,
    `${ROOT_URI}/.git-credentials`,
    `${ROOT_URI}/config/secrets.yml`,
    `${ROOT_URI}/config/secrets.json`,
    `${ROOT_URI}/app.secret`,
    `${ROOT_URI}/credentials.json`,
    `${ROOT_URI}/client_secret_1234.apps.googleusercontent.com.json`,
    `${ROOT_URI}/infra/prod.tfvars`,
    `${ROOT_URI}/infra/terraform.tfstate`,
    `${ROOT_URI}/infra/terraform.tfstate.backup`,
    // outside every root, via suffix matching of slash patterns
    'file:///home/u/.aws/credentials',
    '/home/u/.aws/credentials',
    '/home/u/.ssh/config',
    '/home/u/.ssh/id_rsa',
    '/home/u/.netrc',
    '/home/u/.docker/config.json',
    '/home/u/.kube/config',
  ])('ignores %s', (p) => {
    expect(m.ignores(p)).toBe(true);
  });

  it.each([
    `${ROOT_URI}/src/index.ts`,
    `${ROOT_URI}/src/env.ts`,
    `${ROOT_URI}/src/keys.ts`,
    `${ROOT_URI}/src/secret-santa.ts`,
    `${ROOT_URI}/docs/credentials.md`,
    `${ROOT_URI}/README.md`,
    `${ROOT_URI}/.env.example`,
    `${ROOT_URI}/services/api/.env.sample`,
    `${ROOT_URI}/.env.template`,
    `${ROOT_URI}/.env.dist`,
    `${ROOT_URI}/infra/main.tf`,
    '/home/u/aws/credentials-helper.ts',
    '/home/u/docker/config.json',
    '/home/u/project/ssh/config.ts',
    'untitled:Untitled-1',
  ])('does not ignore %s', (p) => {
    expect(m.ignores(p)).toBe(false);
  });

  it('is a frozen list containing the documented entries', () => {
    expect(Object.isFrozen(DEFAULT_IGNORE)).toBe(true);
    for (const p of ['.env', '.env.*', '*.pem', '*.key', 'id_rsa*', '.aws/credentials', '.ssh/*', '*.tfstate', '!.env.example']) {
      expect(DEFAULT_IGNORE).toContain(p);
    }
  });
});

describe('path and URI handling', () => {
  const m = createIgnoreMatcher(['*.pem', 'secret dir/', '.env'], [ROOT]);

  it('decodes file URIs with spaces and percent-encoding', () => {
    expect(m.ignores('file:///home/u/my%20project/a%20b/c%2Bd.pem')).toBe(true);
    expect(m.ignores('file:///home/u/my%20project/secret%20dir/notes.txt')).toBe(true);
    expect(m.ignores('file:///home/u/my%20project/%E2%9C%93/.env')).toBe(true);
    expect(m.ignores('file:///home/u/my%20project/src/a.ts')).toBe(false);
  });

  it('accepts plain absolute paths, localhost authorities and malformed escapes', () => {
    expect(m.ignores('/home/u/my project/x/server.pem')).toBe(true);
    expect(m.ignores('file://localhost/home/u/my%20project/.env')).toBe(true);
    expect(m.ignores('file:///home/u/my%20project/bad%zz/.env')).toBe(true);
    expect(m.ignores('file:///home/u/my%20project/bad%zz/ok.ts')).toBe(false);
  });

  it('normalises . and .. segments', () => {
    expect(m.ignores('/home/u/my project/src/../certs/./a.pem')).toBe(true);
  });

  it('handles Windows drive letters in URIs and paths', () => {
    const w = createIgnoreMatcher(['/build/', '.aws/credentials', '*.pem'], ['C:\\Users\\me\\proj']);
    expect(w.ignores('file:///c%3A/Users/me/proj/build/out.js')).toBe(true);
    expect(w.ignores('file:///c:/Users/me/proj/src/out.js')).toBe(false);
    expect(w.ignores('C:\\Users\\me\\.aws\\credentials')).toBe(true);
    expect(w.ignores('file:///C:/Users/me/proj/certs/x.pem')).toBe(true);
  });

  it('non-file URIs only match on the basename', () => {
    const u = createIgnoreMatcher(['.env', '*.pem', 'config/secrets.yml', '/top.txt', 'private/'], ['/repo']);
    expect(u.ignores('untitled:Untitled-1')).toBe(false);
    expect(u.ignores('untitled:.env')).toBe(true);
    expect(u.ignores('untitled:/home/u/key.pem')).toBe(true);
    expect(u.ignores('git:/repo/.env?%7B%22ref%22%3A%22HEAD%22%7D')).toBe(true);
    expect(u.ignores('vscode-notebook-cell:/repo/a.ipynb#W0sZmlsZQ%3D%3D')).toBe(false);
    // Patterns that need directories cannot match a bare name.
    expect(u.ignores('git:/repo/config/secrets.yml')).toBe(false);
    expect(u.ignores('untitled:/repo/private/a.txt')).toBe(false);
  });

  it('returns false for empty input', () => {
    expect(m.ignores('')).toBe(false);
  });
});

describe('gitignore-like semantics', () => {
  it('name patterns match the basename or any directory inside the root', () => {
    const m = createIgnoreMatcher(['node_modules', '.ssh', '*.log'], ['/repo']);
    expect(m.ignores('/repo/node_modules/x/index.js')).toBe(true);
    expect(m.ignores('/repo/packages/a/node_modules/y.js')).toBe(true);
    expect(m.ignores('/repo/logs/app.log')).toBe(true);
    expect(m.ignores('/repo/src/app.ts')).toBe(false);
    // Directories above the root do not count...
    const inside = createIgnoreMatcher(['build'], ['/home/u/build/proj']);
    expect(inside.ignores('/home/u/build/proj/src/a.ts')).toBe(false);
    expect(inside.ignores('/home/u/build/proj/build/a.js')).toBe(true);
    // ...but outside every root the whole absolute path is considered.
    expect(m.ignores('/home/u/.ssh/config')).toBe(true);
  });

  it('patterns with a slash match relative to the root and as a path suffix', () => {
    const m = createIgnoreMatcher(['config/secrets.yml', 'src/**/generated/*.ts'], ['/repo']);
    expect(m.ignores('/repo/config/secrets.yml')).toBe(true);
    expect(m.ignores('/repo/apps/web/config/secrets.yml')).toBe(true);
    expect(m.ignores('/elsewhere/config/secrets.yml')).toBe(true);
    expect(m.ignores('/repo/configs/secrets.yml')).toBe(false);
    expect(m.ignores('/repo/src/a/b/generated/x.ts')).toBe(true);
    expect(m.ignores('/repo/src/generated/x.ts')).toBe(true);
    expect(m.ignores('/repo/src/a/generated/x.js')).toBe(false);
  });

  it('a leading slash anchors to the root', () => {
    const m = createIgnoreMatcher(['/build', '/docs/*.md'], ['/repo', '/other']);
    expect(m.ignores('/repo/build/x.js')).toBe(true);
    expect(m.ignores('/other/build/y.js')).toBe(true);
    expect(m.ignores('/repo/sub/build/x.js')).toBe(false);
    expect(m.ignores('/repo/docs/a.md')).toBe(true);
    expect(m.ignores('/repo/docs/deep/a.md')).toBe(false);
    expect(m.ignores('/repo/x/docs/a.md')).toBe(false);
  });

  it('anchored patterns outside every root match the absolute path', () => {
    const m = createIgnoreMatcher(['/home/u/private/**'], ['/repo']);
    expect(m.ignores('/home/u/private/notes.md')).toBe(true);
    expect(m.ignores('/home/u/public/notes.md')).toBe(false);
    // Inside a root it is anchored to the root, as in gitignore.
    expect(m.ignores('/repo/home/u/private/notes.md')).toBe(true);
    expect(m.ignores('/repo/sub/home/u/private/notes.md')).toBe(false);
  });

  it('a trailing slash only matches directories', () => {
    const m = createIgnoreMatcher(['logs/', 'tmp/cache/'], ['/repo']);
    expect(m.ignores('/repo/logs/a.txt')).toBe(true);
    expect(m.ignores('/repo/a/logs/b.txt')).toBe(true);
    expect(m.ignores('/repo/logs')).toBe(false);
    expect(m.ignores('/repo/tmp/cache/x')).toBe(true);
    expect(m.ignores('/repo/tmp/cache')).toBe(false);
  });

  it('** matches across directories', () => {
    const m = createIgnoreMatcher(['**/fixtures/**/*.json', 'a/**/b'], ['/repo']);
    expect(m.ignores('/repo/test/fixtures/x/y/z.json')).toBe(true);
    expect(m.ignores('/repo/fixtures/z.json')).toBe(true);
    expect(m.ignores('/repo/a/b/file.txt')).toBe(true);
    expect(m.ignores('/repo/a/x/y/b')).toBe(true);
    expect(m.ignores('/repo/test/fixtures/z.ts')).toBe(false);
  });

  it('negation re-includes and the last matching pattern wins', () => {
    const m = createIgnoreMatcher(['*.pem', '!public.pem', 'certs/', '!certs/ca.crt'], ['/repo']);
    expect(m.ignores('/repo/a.pem')).toBe(true);
    expect(m.ignores('/repo/public.pem')).toBe(false);
    expect(m.ignores('/repo/certs/public.pem')).toBe(true); // certs/ comes later
    expect(m.ignores('/repo/certs/ca.crt')).toBe(false);
    expect(m.ignores('/repo/certs/other.crt')).toBe(true);

    const order = createIgnoreMatcher(['!keep.pem', '*.pem'], ['/repo']);
    expect(order.ignores('/repo/keep.pem')).toBe(true);
  });

  it('user patterns after the defaults can re-ignore templates or re-include files', () => {
    const m = createIgnoreMatcher([...DEFAULT_IGNORE, '.env.example', '!dev.key'], ['/repo']);
    expect(m.ignores('/repo/.env.example')).toBe(true);
    expect(m.ignores('/repo/dev.key')).toBe(false);
    expect(m.ignores('/repo/prod.key')).toBe(true);
  });

  it('skips invalid patterns, comments and blanks without throwing', () => {
    const patterns = ['[', 'a{', '+(x', '', '   ', '# comment', '!', '/', '*.pem', '\\#literal', '\\!bang'];
    let m: ReturnType<typeof createIgnoreMatcher> | undefined;
    expect(() => {
      m = createIgnoreMatcher(patterns, ['/repo']);
    }).not.toThrow();
    expect(m?.patterns).toEqual(patterns);
    expect(m?.ignores('/repo/a.pem')).toBe(true);
    expect(m?.ignores('/repo/[')).toBe(false);
    expect(m?.ignores('/repo/# comment')).toBe(false);
    expect(m?.ignores('/repo/#literal')).toBe(true);
    expect(m?.ignores('/repo/!bang')).toBe(true);
    expect(m?.ignores('/repo/src/a.ts')).toBe(false);
  });

  it('matches user globs case-sensitively by default off Windows and case-insensitively when asked', () => {
    const sensitive = createIgnoreMatcher(['*.crt', 'Secrets/'], ['/repo'], { caseInsensitive: false });
    expect(sensitive.ignores('/repo/A.CRT')).toBe(false);
    expect(sensitive.ignores('/repo/secrets/x')).toBe(false);
    const insensitive = createIgnoreMatcher(['*.crt', 'Secrets/'], ['C:\\Repo'], { caseInsensitive: true });
    expect(insensitive.ignores('file:///c%3A/repo/A.CRT')).toBe(true);
    expect(insensitive.ignores('C:\\REPO\\secrets\\x')).toBe(true);
    if (process.platform !== 'win32') {
      expect(createIgnoreMatcher(['*.crt'], []).ignores('/x/A.CRT')).toBe(false);
    }
  });

  it('matches the built-in globs in any letter case, whatever the option says', () => {
    const m = createIgnoreMatcher([...DEFAULT_IGNORE, 'fixtures/**'], [ROOT], { caseInsensitive: false });
    for (const p of ['sub/.ENV', 'Credentials.json', 'SECRETS.yaml', 'Server.PEM', '.SSH/id_rsa', 'ID_RSA.pub', 'Prod.TFSTATE', '.AWS/Credentials']) {
      expect(m.ignores(`${ROOT}/${p}`), p).toBe(true);
    }
    // The re-included templates too, and user globs stay as written.
    expect(m.ignores(`${ROOT}/.ENV.Example`)).toBe(false);
    expect(m.ignores(`${ROOT}/Fixtures/a.ts`)).toBe(false);
    expect(m.ignores(`${ROOT}/fixtures/a.ts`)).toBe(true);
    // Only what the caller names as built-in.
    expect(createIgnoreMatcher(['*.pem'], [], { caseInsensitive: false, anyCase: [] }).ignores('/x/A.PEM')).toBe(false);
  });

  it('works with no roots and with nested roots', () => {
    const none = createIgnoreMatcher(['/dist', 'src/*.gen.ts'], []);
    expect(none.ignores('/home/u/p/src/a.gen.ts')).toBe(true);
    expect(none.ignores('/dist/a.js')).toBe(true);
    const nested = createIgnoreMatcher(['/pkg/out'], ['/mono', '/mono/pkg']);
    expect(nested.ignores('/mono/pkg/out/a.js')).toBe(true);
  });

  it('caches results and keeps answering consistently', () => {
    const m = createIgnoreMatcher(DEFAULT_IGNORE, [ROOT]);
    for (let i = 0; i < 3000; i++) {
      expect(m.ignores(`${ROOT_URI}/src/file${i % 1500}.ts`)).toBe(false);
    }
    expect(m.ignores(`${ROOT_URI}/.env`)).toBe(true);
    expect(m.ignores(`${ROOT_URI}/.env`)).toBe(true);
  });
});
