import { describe, expect, it } from 'vitest';
import { carveColumns, NumberColumn } from '../src/probes/numberColumn.js';

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

describe('carveColumns', () => {
  it('gives columns that share one buffer yet never see each other, also once one outgrows its slots', () => {
    const columns = carveColumns(3);
    const expected: number[][] = [[], [], []];
    for (let index = 0; index < 200; index++) {
      const which = index % 3 === 0 ? 1 : index % 2;
      columns[which]!.push(index);
      expected[which]!.push(index);
    }
    columns[2]!.set(70, 9);
    expected[2]!.push(...Array.from({ length: 70 - expected[2]!.length }, () => Number.NaN), 9);
    columns[0]!.set(5, -3);
    expected[0]![5] = -3;
    expect(columns.map((column) => Array.from(column.view()))).toEqual(expected);
    expect(columns[2]!.at(expected[2]!.length)).toBeNaN();
  });
});

describe('carveColumns, call after call', () => {
  it('gives each call columns of its own, across blocks', () => {
    const calls = Array.from({ length: 40 }, () => carveColumns(16));
    calls.forEach((columns, call) => columns.forEach((column, index) => column.push(call * 100 + index)));
    calls.forEach((columns, call) => columns.forEach((column, index) => expect(Array.from(column.view())).toEqual([call * 100 + index])));
  });
});
