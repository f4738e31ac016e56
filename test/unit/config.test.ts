import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('configuration', () => {
  it('has development defaults pointing at localhost and no secrets in code', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe('postgres://127.0.0.1:5432/gridbook');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.port).toBe(3000);
    expect(config.sessionSecret).toBeUndefined();
    expect(config.jwtSecret).toBeUndefined();
  });

  it('refuses production without real secrets, listing every problem at once', () => {
    try {
      loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'too-short', PORT: 'eighty' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toContain('SESSION_SECRET must be at least 32 characters long');
      expect(problems).toContain('JWT_SECRET is required in production (at least 32 random characters)');
      expect(problems).toContain('PORT must be an integer from 0 to 65535 (got "eighty")');
    }
  });

  it('accepts production with secrets and makes cookies secure behind https', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      SESSION_SECRET: 'a'.repeat(40),
      JWT_SECRET: 'b'.repeat(40),
      PUBLIC_URL: 'https://admin.example.com/',
    });
    expect(config.cookieSecure).toBe(true);
    expect(config.publicUrl).toBe('https://admin.example.com');
  });

  it('rejects URLs of the wrong kind', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x/y', REDIS_URL: 'not a url' })).toThrow(
      /DATABASE_URL must use postgres: or postgresql:[\s\S]*REDIS_URL is not a valid URL/,
    );
  });
});
