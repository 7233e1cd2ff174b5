/** A Session over a scripted server that answers one statement at a time: several statements are sent one after another. */
import type { Row } from '../../src/mysql/sql/dialect.js';
import type { Session } from '../../src/mysql/sql/session.js';

export function scriptedSession(query: (sql: string, timeoutMs?: number) => Promise<Row[]>): Session {
  return {
    query,
    async queries(statements, timeoutMs) {
      const answers: Row[][] = [];
      for (const sql of statements) answers.push(await query(sql, timeoutMs));
      return answers;
    },
  };
}
