import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, neutralize } from '../../src/exports/csv.js';

/** A small RFC 4180 reader, to check that whatever we write reads back as the same cells. */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

describe('CSV cells', () => {
  it('quotes commas, quotes and line breaks', () => {
    expect(csvCell('plain', 'text')).toBe('plain');
    expect(csvCell('a,b', 'text')).toBe('"a,b"');
    expect(csvCell('say "hi"', 'text')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines', 'text')).toBe('"two\nlines"');
    expect(csvCell('cr\r\nlf', 'text')).toBe('"cr\r\nlf"');
  });

  it('neutralises formulas in text: =, +, -, @, tab and carriage return get a leading quote', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      expect(neutralize(`${start}SUM(A1:A2)`)).toBe(`'${start}SUM(A1:A2)`);
    }
    expect(csvCell('=HYPERLINK("http://evil","x")', 'text')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell('@cmd', 'text')).toBe("'@cmd");
    expect(csvCell(['=1+1', 'b'], 'list')).toBe("'=1+1; b");
    expect(neutralize("it's fine")).toBe("it's fine");
  });

  it('writes numbers, booleans and dates as they are: a negative number is data, not a formula', () => {
    expect(csvCell(-12.5, 'number')).toBe('-12.5');
    expect(csvCell('-3', 'number')).toBe('-3');
    expect(csvCell(true, 'boolean')).toBe('true');
    expect(csvCell(new Date('2026-01-02T03:04:05Z'), 'date')).toBe('2026-01-02T03:04:05.000Z');
    expect(csvCell(null, 'text')).toBe('');
    expect(csvCell(undefined, 'number')).toBe('');
  });

  it('writes JSON for objects in text columns, neutralised like any text', () => {
    expect(csvCell({ a: 1 }, 'text')).toBe('"{""a"":1}"');
  });

  it('reads back as the same cells for any text, with formulas neutralised and nothing else changed', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 6 }), (cells) => {
        const line = csvLine(
          cells,
          cells.map(() => 'text'),
        );
        expect(line.endsWith('\r\n')).toBe(true);
        const back = parseCsvLine(line.slice(0, -2));
        expect(back).toEqual(cells.map((c) => neutralize(c)));
        for (const cell of back) expect(/^[=+\-@\t\r]/.test(cell)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
