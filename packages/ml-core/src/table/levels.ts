/**
 * The categories of one column, looked up by the cell's bytes (an FNV-1a hash
 * and a byte compare), so a categorical cell costs no string: a string is
 * made once per distinct value. Several byte forms may map to one level
 * (`m` → `M` when the schema fixes the categories).
 */
export class LevelIndex {
  readonly levels: string[] = [];
  /** Open addressing: entry index + 1, 0 = empty. */
  private slots = new Int32Array(64);
  private entryCode: number[] = [];
  private entryStart: number[] = [];
  private entryLength: number[] = [];
  private entryHash: number[] = [];
  private bytes = new Uint8Array(1024);
  private used = 0;

  /** Code of the bytes, or -1 when unknown. */
  find(buf: Uint8Array, start: number, end: number): number {
    const h = hashBytes(buf, start, end);
    const mask = this.slots.length - 1;
    const len = end - start;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = this.slots[i] - 1;
      if (e < 0) return -1;
      if (this.entryHash[e] === h && this.entryLength[e] === len) {
        const s = this.entryStart[e];
        let same = true;
        for (let k = 0; k < len; k++)
          if (this.bytes[s + k] !== buf[start + k]) {
            same = false;
            break;
          }
        if (same) return this.entryCode[e];
      }
    }
  }

  /** Adds a new level (its text) and returns its code. */
  addLevel(text: string): number {
    this.levels.push(text);
    const code = this.levels.length - 1;
    const b = Buffer.from(text, 'utf8');
    this.alias(b, 0, b.length, code);
    return code;
  }

  /** Makes these bytes another spelling of level `code`. */
  alias(buf: Uint8Array, start: number, end: number, code: number): void {
    const len = end - start;
    if (this.used + len > this.bytes.length) {
      const grown = new Uint8Array(
        Math.max(this.bytes.length * 2, this.used + len),
      );
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    this.bytes.set(buf.subarray(start, end), this.used);
    const e = this.entryCode.length;
    this.entryCode.push(code);
    this.entryStart.push(this.used);
    this.entryLength.push(len);
    this.entryHash.push(hashBytes(buf, start, end));
    this.used += len;
    if ((e + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(e);
  }

  get size(): number {
    return this.levels.length;
  }

  private place(e: number) {
    const mask = this.slots.length - 1;
    let i = this.entryHash[e] & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = e + 1;
  }

  private rehash(size: number) {
    this.slots = new Int32Array(size);
    for (let e = 0; e < this.entryCode.length; e++) this.place(e);
  }
}

function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h >>> 0;
}
