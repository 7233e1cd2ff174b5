import { describe, expect, test } from '@jest/globals';
import { MariadbGtidSet, MysqlGtidSet, parseGtidSet } from '../../src/mysql/gtid.js';

const A = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const B = '4ad29d3c-0000-11e1-9e33-c80aa9429562';

describe('MySQL GTID sets', () => {
  test.each([
    [`${A}:1-5`, `${A}:1-5`],
    [`${A}:1-3:4-5`, `${A}:1-5`],
    [`${A}:7:1-3`, `${A}:1-3:7`],
    [`${B}:1-2,\n${A.toUpperCase()}:1-9`, `${A}:1-9,${B}:1-2`],
    ['', ''],
    [`${A}:1-3:mytag:5-6`, `${A}:1-3,${A}:mytag:5-6`],
  ])('parse %j -> %j', (text, canonical) => {
    expect(MysqlGtidSet.parse(text).toString()).toBe(canonical);
  });

  test.each([
    ['garbage:1-2', /bad source uuid/],
    [`${A}:5-2`, /bad interval/],
    [`${A}:0`, /bad interval/],
    [`${A}:1-x`, /bad element/],
  ])('rejects %j', (text, message) => {
    expect(() => MysqlGtidSet.parse(text)).toThrow(message);
  });

  test.each([
    [`${A}:1-10`, `${A}:1-5`, true],
    [`${A}:1-10`, `${A}:1-11`, false],
    [`${A}:1-10`, `${A}:3:5-7`, true],
    [`${A}:1-4:6-10`, `${A}:5`, false],
    [`${A}:1-10`, `${B}:1`, false],
    [`${A}:1-10`, '', true],
    ['', `${A}:1`, false],
  ])('%j contains %j: %s', (a, b, expected) => {
    expect(MysqlGtidSet.parse(a).contains(MysqlGtidSet.parse(b))).toBe(expected);
  });

  test.each([
    [`${A}:1-5`, `${A}:4-9`, `${A}:1-9`],
    [`${A}:1-2`, `${A}:4`, `${A}:1-2:4`],
    [`${A}:1-2`, `${B}:1`, `${A}:1-2,${B}:1`],
  ])('%j union %j = %j', (a, b, expected) => {
    expect(MysqlGtidSet.parse(a).union(MysqlGtidSet.parse(b)).toString()).toBe(expected);
  });

  test.each([
    [`${A}:1-10`, `${A}:3-5`, `${A}:1-2:6-10`],
    [`${A}:1-10,${B}:1-3`, `${A}:1-10`, `${B}:1-3`],
    [`${A}:1-10`, `${A}:1-10`, ''],
    [`${A}:5-6`, `${A}:1-5`, `${A}:6`],
  ])('%j minus %j = %j', (a, b, expected) => {
    expect(MysqlGtidSet.parse(a).subtract(MysqlGtidSet.parse(b)).toString()).toBe(expected);
  });

  test('fromSource keeps one uuid, tagged or not', () => {
    expect(MysqlGtidSet.parse(`${A}:1-3:t:1,${B}:1-9`).fromSource(A.toUpperCase()).toString()).toBe(`${A}:1-3,${A}:t:1`);
  });
});

describe('MariaDB GTID states', () => {
  test.each([
    ['0-100-45', '0-100-45'],
    ['1-100-3, 0-101-50,0-100-45', '0-100-45,0-101-50,1-100-3'],
    ['', ''],
    ['0-100-4,0-100-9', '0-100-9'],
  ])('parse %j -> %j', (text, canonical) => {
    expect(MariadbGtidSet.parse(text).toString()).toBe(canonical);
  });

  test('rejects what is not domain-server-seq', () => {
    expect(() => MariadbGtidSet.parse('0-100')).toThrow(/domain-server-seq/);
  });

  test.each([
    // a new primary that has everything the old one sent, plus its own
    ['0-100-45,0-101-50', '0-100-45', true],
    // an old primary with a write the new primary never got: diverged
    ['0-100-45,0-101-50', '0-100-46', false],
    // a replica's own errant transaction
    ['0-100-45', '0-100-45,0-102-46', false],
    ['0-100-45', '0-100-40', true],
    ['0-100-45', '1-100-1', false],
    ['', '', true],
  ])('%j contains %j: %s', (a, b, expected) => {
    expect(MariadbGtidSet.parse(a).contains(MariadbGtidSet.parse(b))).toBe(expected);
  });

  test('union keeps the highest sequence per domain and server', () => {
    expect(MariadbGtidSet.parse('0-100-5,1-100-2').union(MariadbGtidSet.parse('0-100-7,0-101-1')).toString())
      .toBe('0-100-7,0-101-1,1-100-2');
  });

  test('subtract lists what the other lacks; fromSource filters by server_id', () => {
    const replica = MariadbGtidSet.parse('0-100-45,0-102-46');
    expect(replica.subtract(MariadbGtidSet.parse('0-100-47')).toString()).toBe('0-102-46');
    expect(replica.fromSource('102').toString()).toBe('0-102-46');
    expect(replica.fromSource('101').isEmpty()).toBe(true);
  });

  test('the two models do not mix', () => {
    expect(() => parseGtidSet('mysql', `${A}:1`).contains(parseGtidSet('mariadb', '0-1-1'))).toThrow(/MySQL/);
    expect(() => parseGtidSet('mariadb', '0-1-1').union(parseGtidSet('mysql', `${A}:1`))).toThrow(/MariaDB/);
  });
});
