import { expect, test } from '@jest/globals';
import { DatabaseError, scrub, toDatabaseError } from '../../src/mysql/sanitize.js';

test.each([
  ["CREATE USER 'app'@'%' IDENTIFIED BY 's3cr\\'et' failed", "CREATE USER 'app'@'%' IDENTIFIED BY '***' failed"],
  ["CHANGE MASTER TO MASTER_PASSWORD = 'x y', MASTER_USE_GTID = slave_pos", "CHANGE MASTER TO MASTER_PASSWORD = '***', MASTER_USE_GTID = slave_pos"],
  ["CHANGE REPLICATION SOURCE TO SOURCE_PASSWORD='abc'", "CHANGE REPLICATION SOURCE TO SOURCE_PASSWORD='***'"],
  ['Access denied; the password hunter2 leaked', 'Access denied; the password *** leaked'],
])('scrub %j', (input, expected) => {
  expect(scrub(input, ['hunter2'])).toBe(expected);
});

test('errors become DatabaseErrors with a kind and no secret', () => {
  const refused = toDatabaseError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'db-0', []);
  expect(refused).toBeInstanceOf(DatabaseError);
  expect(refused.kind).toBe('refused');
  expect(toDatabaseError(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }), 'db-0', []).kind).toBe('timeout');
  expect(toDatabaseError(Object.assign(new Error('Access denied for user'), { code: 'ER_ACCESS_DENIED_ERROR' }), 'db-0', []).kind).toBe('auth');
  const leaky = toDatabaseError(Object.assign(new Error("near 'topsecret' at line 1"), { code: 'ER_PARSE_ERROR', sql: "IDENTIFIED BY 'topsecret'" }), 'db-0', ['topsecret']);
  expect(leaky.message).toBe("db-0: near '***' at line 1");
  expect(JSON.stringify(leaky)).not.toContain('topsecret');
});
