import { describe, expect, it } from 'vitest';
import { NumberColumn } from '../src/probes/numberColumn.js';

describe('NumberColumn', () => {
  it('keeps what a plain array of numbers kept: pushes, sets past the end (the gap reads NaN), reads out of range as NaN', () => {
    const column = new NumberColumn();
    const expected: number[] = [];
    for (let index = 0; index < 300; index++) {
      column.push(index * 0.5);
      expected.push(index * 0.5);
    }
    column.set(1000, 7);
    expected.push(...Array.from({ length: 1000 - expected.length }, () => Number.NaN), 7);
    column.set(3, -1);
    expected[3] = -1;
    expect(column.length).toBe(expected.length);
    expect(Array.from(column.view())).toEqual(expected);
    expect(column.at(3)).toBe(-1);
    expect(column.at(500)).toBeNaN();
    expect(column.at(-1)).toBeNaN();
    expect(column.at(1001)).toBeNaN();
    expect(column.view()[1001]).toBeUndefined();
  });

  it('ignores an index that names no slot (a negative or fractional seq) rather than growing for it', () => {
    const column = new NumberColumn();
    column.set(-1, 5);
    column.set(2.5, 5);
    expect(column.length).toBe(0);
    expect(column.at(2.5)).toBeNaN();
  });
});
