import { describe, expect, it } from 'vitest';
import { totalWords, viewQueryOf } from '../../src/search/list-query.js';

describe("a list's total in words", () => {
  it('says a counted total as it is, an estimate as about, a capped count as more than its cap', () => {
    expect(totalWords(1204, 'exact')).toBe('1,204');
    expect(totalWords(1204, undefined)).toBe('1,204');
    expect(totalWords(980_000, 'estimate')).toBe('about 980,000');
    // The adapter counts up to its cap plus one row: 20,001 means "more than 20,000".
    expect(totalWords(20_001, 'atLeast')).toBe('more than 20,000');
  });
});

describe("a saved view's query", () => {
  it('keeps the filters, the search, the columns and the sort, never the page', () => {
    expect(viewQueryOf('?page=3&filters.%24search=well&sortBy=id&direction=desc&perPage=20')).toEqual({
      direction: 'desc',
      'filters.$search': 'well',
      sortBy: 'id',
    });
  });
});
