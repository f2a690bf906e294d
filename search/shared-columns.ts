/**
 * Typed arrays on SharedArrayBuffers: the snapshot's columns live there so that the evaluation
 * threads (search/postgres/evaluator-pool.ts) read the very same memory, with no copy per
 * version or per request.
 */

type TypedArrayOf<T> = { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };

export function sharedArray<T>(type: TypedArrayOf<T>, length: number): T {
  return new type(new SharedArrayBuffer(Math.max(0, length) * type.BYTES_PER_ELEMENT));
}

/** Rows of varying length in two flat arrays: row i is values[starts[i]] … values[starts[i + 1] - 1]. */
export interface Ragged {
  starts: Int32Array;
  values: Int32Array;
}

/** Whether row `i` holds `value`. */
export function raggedHas(column: Ragged, i: number, value: number): boolean {
  const end = column.starts[i + 1]!;
  for (let k = column.starts[i]!; k < end; k++) if (column.values[k] === value) return true;
  return false;
}

/** Builds a Ragged column row after row, in order (row 0 first). */
export class RaggedBuilder {
  private readonly starts: Int32Array;
  private values = new Int32Array(1024);
  private length = 0;

  constructor(private readonly rows: number) {
    this.starts = sharedArray(Int32Array, rows + 1);
  }

  push(row: number, items: ArrayLike<number>): void {
    this.starts[row] = this.length;
    if (this.length + items.length > this.values.length) {
      const grown = new Int32Array(Math.max(this.values.length * 2, this.length + items.length));
      grown.set(this.values.subarray(0, this.length));
      this.values = grown;
    }
    for (let k = 0; k < items.length; k++) this.values[this.length++] = items[k]!;
  }

  /** Row `row` of another column. */
  copy(row: number, from: Ragged, fromRow: number): void {
    this.push(row, from.values.subarray(from.starts[fromRow]!, from.starts[fromRow + 1]!));
  }

  finish(): Ragged {
    this.starts[this.rows] = this.length;
    const values = sharedArray(Int32Array, this.length);
    values.set(this.values.subarray(0, this.length));
    return { starts: this.starts, values };
  }
}
