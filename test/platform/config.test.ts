import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      DATA_DIR: './data',
      BASE_URL: 'http://localhost:3000',
      SEED_DEMO: true,
      NODE_ENV: 'development',
    });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('stops on a bad setting with an error naming it', () => {
    const cases: [Record<string, string>, string][] = [
      [{ PORT: 'abc' }, 'PORT'],
      [{ PORT: '70000' }, 'PORT'],
      [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
      [{ SEED_DEMO: 'peut-être' }, 'SEED_DEMO'],
      [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
      [{ SMTP_URL: 'ftp://mail' }, 'SMTP_URL'],
      [{ NODE_ENV: 'production' }, 'SESSION_SECRET'],
      [{ SESSION_SECRET: 'court' }, 'SESSION_SECRET'],
      [{ LOG_LEVEL: 'bavard' }, 'LOG_LEVEL'],
    ];
    for (const [env, key] of cases) {
      let error: unknown;
      try {
        loadConfig(env);
      } catch (caught) {
        error = caught;
      }
      expect(error, key).toBeInstanceOf(ConfigError);
      expect((error as Error).message.startsWith(`${key}:`), (error as Error).message).toBe(true);
    }
  });
});
