import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { connectionConfig, createPool } from '../../src/db/pool.js';

// Only reads literals: the server's maintenance database is enough.
const url = process.env.TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/postgres';

describe('our pools read values their own way, without changing pg for everyone', () => {
  const ours = createPool(url, { max: 1 });
  const theirs = new pg.Pool({ ...connectionConfig(url), max: 1 });
  afterAll(async () => {
    await Promise.all([ours.end(), theirs.end()]);
  });

  it("a date stays YYYY-MM-DD in our pools; other pools (a library's) keep pg's default", async () => {
    const query = "SELECT '2024-02-29'::date AS day, 9007199254740993::int8 AS big, 1.10::numeric AS exact";
    expect((await ours.query(query)).rows[0]).toEqual({ day: '2024-02-29', big: '9007199254740993', exact: '1.10' });
    expect((await theirs.query(query)).rows[0].day).toBeInstanceOf(Date);
    expect(pg.types.getTypeParser(pg.types.builtins.DATE)('2024-02-29')).toBeInstanceOf(Date);
  });
});
