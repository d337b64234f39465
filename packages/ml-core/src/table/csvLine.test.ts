import { splitCsvLine } from './csvLine';

describe('splitCsvLine', () => {
  it('splits cells, trims them, and reads quoted cells with commas and quotes', () => {
    expect(splitCsvLine('a, b ,c')).toEqual(['a', 'b', 'c']);
    expect(splitCsvLine('"Biscoe, north",2,"say ""hi"""')).toEqual([
      'Biscoe, north',
      '2',
      'say "hi"',
    ]);
    expect(splitCsvLine('1,,3\r')).toEqual(['1', '', '3']);
    expect(splitCsvLine('')).toEqual(['']);
  });

  it('throws on an unclosed quote', () => {
    expect(() => splitCsvLine('"open,2')).toThrow(/quote/i);
  });
});
