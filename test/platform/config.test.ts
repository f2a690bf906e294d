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
      [{ STORAGE: 'ftp' }, 'STORAGE'],
      [{ STORAGE: 's3' }, 'S3_BUCKET'],
      [{ S3_BUCKET: 'passerelle' }, 'S3_ACCESS_KEY_ID'],
      [{ S3_BUCKET: 'passerelle', S3_ACCESS_KEY_ID: 'id' }, 'S3_SECRET_ACCESS_KEY'],
      [{ S3_BUCKET: 'Mauvais_Nom', S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'secret' }, 'S3_BUCKET'],
      [{ S3_ENDPOINT: 's3.fr-par.scw.cloud' }, 'S3_ENDPOINT'],
      [{ METRICS_TOKEN: 'court' }, 'METRICS_TOKEN'],
      [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
      [{ TRUST_PROXY: '11' }, 'TRUST_PROXY'],
      [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
      [{ TRUST_PROXY: '10.0.0.1, proxy.exemple.fr' }, 'TRUST_PROXY'],
      [{ REDIS_PREFIX: 'avec espace' }, 'REDIS_PREFIX'],
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

  it('keeps files where every instance sees them: the bucket when named, else the shared database, else the disk', () => {
    expect(loadConfig({}).STORAGE).toBe('disk');
    expect(loadConfig({ DATABASE_URL: 'postgres://localhost/passerelle' }).STORAGE).toBe('database');
    const s3 = { S3_BUCKET: 'passerelle', S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'secret' };
    expect(loadConfig({ DATABASE_URL: 'postgres://localhost/passerelle', ...s3 }).STORAGE).toBe('s3');
    expect(loadConfig({ DATABASE_URL: 'postgres://localhost/passerelle', STORAGE: 'disk' }).STORAGE).toBe('disk');
    expect(loadConfig({ STORAGE: 'database' }).STORAGE).toBe('database');
  });

  it('trusts no proxy by default, else a hop count or a list of addresses and networks', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '0' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,::1,fd00::/8, loopback' }).TRUST_PROXY).toEqual([
      '10.0.0.1',
      '192.168.0.0/16',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
  });
});
