/** The dialect of each engine. */
import type { DatabaseEngine } from '../../api/types.js';
import type { Dialect } from './dialect.js';
import { mariadbDialect } from './mariadb-dialect.js';
import { mysqlDialect } from './mysql-dialect.js';

export function dialectFor(engine: DatabaseEngine): Dialect {
  return engine === 'mysql' ? mysqlDialect : mariadbDialect;
}
