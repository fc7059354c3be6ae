import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED, secretValues } from '../src/log.js';

function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { stream, lines };
}

describe('logger redaction', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const env = {
    PRIVATE_KEY: pem,
    WEBHOOK_SECRET: 'whsec-1234567890',
    OPENAI_API_KEY: 'sk-test-abcdefghijklmnop',
    GITHUB_TOKEN: 'ghs_installationtoken123456',
  };

  it('hides secret fields and secret values anywhere in a line', () => {
    const { stream, lines } = capture();
    const log = createLogger({ level: 'info', secrets: secretValues(env), destination: stream }).child({
      repo: 'o/r',
    });
    log.info({ privateKey: pem, config: { apiKey: env.OPENAI_API_KEY } }, 'starting');
    log.info({ headers: { authorization: `token ${env.GITHUB_TOKEN}` } }, 'request');
    log.error({ err: new Error(`model call failed with key ${env.OPENAI_API_KEY}`) }, 'model');
    log.warn(`webhook secret is ${env.WEBHOOK_SECRET} and the key is ${pem}`);
    const all = lines.join('');
    expect(lines).toHaveLength(4);
    for (const secret of Object.values(env)) {
      expect(all).not.toContain(secret);
      expect(all).not.toContain(JSON.stringify(secret).slice(1, -1));
    }
    expect(all).not.toContain('BEGIN RSA PRIVATE KEY');
    expect(all).toContain(REDACTED);
    // Bindings and ordinary fields stay.
    expect(JSON.parse(lines[0]!).repo).toBe('o/r');
  });

  it('counts Redis passwords as secrets: REDIS_PASSWORD and the password in REDIS_URL', () => {
    expect(
      secretValues({
        REDIS_PASSWORD: 'redis-pass-123',
        REDIS_URL: 'rediss://docs-fix:url%40pass-456@cache:6380',
      }),
    ).toEqual(['redis-pass-123', 'url@pass-456']);
  });

  it('ignores short values that would hide ordinary words', () => {
    expect(secretValues({ WEBHOOK_SECRET: 'abc' })).toEqual([]);
  });
});
