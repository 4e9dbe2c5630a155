import { describe, expect, it } from 'vitest';
import { matchesAttributes, parseAttributeFilter, type AttributeFilter } from './attribute-filter.js';

const file = { region: 'eu', year: 2024, date: '2024-05-01', isPublic: true };

describe('matchesAttributes', () => {
  it.each<[string, AttributeFilter, boolean]>([
    ['eq', { type: 'eq', key: 'region', value: 'eu' }, true],
    ['eq, other value', { type: 'eq', key: 'region', value: 'us' }, false],
    ['eq on a boolean', { type: 'eq', key: 'isPublic', value: true }, true],
    ['ne', { type: 'ne', key: 'region', value: 'us' }, true],
    ['ne on a missing key', { type: 'ne', key: 'team', value: 'a' }, true],
    ['gt on numbers', { type: 'gt', key: 'year', value: 2023 }, true],
    ['gte on numbers', { type: 'gte', key: 'year', value: 2024 }, true],
    ['lt on numbers', { type: 'lt', key: 'year', value: 2024 }, false],
    ['lte on date strings', { type: 'lte', key: 'date', value: '2024-06-01' }, true],
    ['gt across types never matches', { type: 'gt', key: 'year', value: '2000' }, false],
    ['gt on a missing key', { type: 'gt', key: 'size', value: 1 }, false],
    ['in', { type: 'in', key: 'region', value: ['eu', 'us'] }, true],
    ['nin', { type: 'nin', key: 'region', value: ['eu'] }, false],
    [
      'and',
      {
        type: 'and',
        filters: [
          { type: 'eq', key: 'region', value: 'eu' },
          { type: 'gte', key: 'year', value: 2025 },
        ],
      },
      false,
    ],
    [
      'or of and',
      {
        type: 'or',
        filters: [
          { type: 'eq', key: 'region', value: 'us' },
          {
            type: 'and',
            filters: [
              { type: 'eq', key: 'isPublic', value: true },
              { type: 'lt', key: 'year', value: 2030 },
            ],
          },
        ],
      },
      true,
    ],
  ])('%s', (_name, filter, expected) => {
    expect(matchesAttributes(file, filter)).toBe(expected);
  });
});

describe('parseAttributeFilter', () => {
  it('reads a nested filter', () => {
    const filter = { type: 'and', filters: [{ type: 'eq', key: 'region', value: 'eu' }] };
    expect(parseAttributeFilter(filter, 'tools[0].filters')).toEqual(filter);
  });

  it.each([
    [{ type: 'like', key: 'region', value: 'e' }, 'tools[0].filters'],
    [{ type: 'and', filters: [{ type: 'eq', key: 'region' }] }, 'tools[0].filters.filters[0]'],
  ])('refuses %j naming %s', (filter, param) => {
    expect(() => parseAttributeFilter(filter, 'tools[0].filters')).toThrow(
      expect.objectContaining({ statusCode: 400, param: expect.stringContaining(param) as string }) as Error,
    );
  });
});
