// Header matching is case-insensitive on names, as in Envoy (HeaderMatcher.name and request header
// names are both LowerCaseStrings), and case-sensitive on values unless the matcher says ignore_case.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchHeader } from '../../src/trace/match.ts';

const headers = new Map([['end-user', ['jason']]]);

test('a header matcher named in capitals still finds the lowercased request header', () => {
  assert.equal(matchHeader({ name: 'End-User', string_match: { exact: 'jason' } }, headers).ok, true);
  assert.equal(matchHeader({ name: 'END-USER', exact_match: 'jason' }, headers).ok, true);
});

test('header values compare as they are unless ignore_case', () => {
  assert.equal(matchHeader({ name: 'end-user', string_match: { exact: 'Jason' } }, headers).ok, false);
  assert.equal(matchHeader({ name: 'end-user', string_match: { exact: 'Jason', ignore_case: true } }, headers).ok, true);
});
