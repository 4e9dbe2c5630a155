import type { z } from 'zod';
import type { SqliteDatabase } from '../../../sqlite/index.js';

export type PageQuery = {
  limit: number;
  order: 'asc' | 'desc';
  after?: string | undefined;
  before?: string | undefined;
};
export type Page<T> = { data: T[]; hasMore: boolean };

type Row = { seq: number; data: string };

/**
 * One engine table of whole objects stored as JSON, read back through a shared zod schema,
 * listed in creation order with OpenAI-style `after`/`before` cursors (object ids).
 */
export class JsonTable<T extends { id: string }> {
  constructor(
    private readonly database: SqliteDatabase,
    private readonly table: string,
    private readonly schema: z.ZodType<T>,
    private readonly parentColumn?: 'thread_id' | 'run_id',
    private readonly hasStatus = false,
    private readonly hasOwner = false,
  ) {}

  insert(item: T, parentId?: string, owner?: string | null): void {
    const columns = ['id', 'data'];
    const values: unknown[] = [item.id, JSON.stringify(item)];
    if (this.hasOwner) {
      columns.push('owner');
      values.push(owner ?? null);
    }
    if (this.parentColumn) {
      columns.push(this.parentColumn);
      values.push(parentId);
    }
    if (this.hasStatus) {
      columns.push('status');
      values.push(statusOf(item));
    }
    this.database
      .prepare(
        `INSERT INTO ${this.table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      )
      .run(...values);
  }

  update(item: T): void {
    if (this.hasStatus) {
      this.database
        .prepare(`UPDATE ${this.table} SET data = ?, status = ? WHERE id = ?`)
        .run(JSON.stringify(item), statusOf(item), item.id);
    } else {
      this.database
        .prepare(`UPDATE ${this.table} SET data = ? WHERE id = ?`)
        .run(JSON.stringify(item), item.id);
    }
  }

  get(id: string): T | null {
    const row = this.database
      .prepare<[string], Row>(`SELECT seq, data FROM ${this.table} WHERE id = ?`)
      .get(id);
    return row ? this.parse(row) : null;
  }

  delete(id: string): boolean {
    return this.database.prepare(`DELETE FROM ${this.table} WHERE id = ?`).run(id).changes > 0;
  }

  /** `undefined` when there is no such row; `null` when it has no owner. */
  ownerOf(id: string): string | null | undefined {
    if (!this.hasOwner) return null;
    const row = this.database
      .prepare<[string], { owner: string | null }>(`SELECT owner FROM ${this.table} WHERE id = ?`)
      .get(id);
    return row ? row.owner : undefined;
  }

  /** With `visibleTo`, only rows without an owner or owned by that user. */
  list(parentId: string | null, query: PageQuery, visibleTo?: string): Page<T> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    if (this.hasOwner && visibleTo !== undefined) {
      conditions.push('(owner IS NULL OR owner = ?)');
      values.push(visibleTo);
    }
    if (this.parentColumn && parentId !== null) {
      conditions.push(`${this.parentColumn} = ?`);
      values.push(parentId);
    }
    const isAscending = query.order === 'asc';
    for (const [cursor, isAfter] of [
      [query.after, true],
      [query.before, false],
    ] as const) {
      if (cursor === undefined) continue;
      const seq = this.seqOf(cursor);
      if (seq === null) continue;
      conditions.push(`seq ${isAfter === isAscending ? '>' : '<'} ?`);
      values.push(seq);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    // `before` alone pages backwards: read the rows nearest the cursor, then restore list order.
    const isBackwards = query.before !== undefined && query.after === undefined;
    const readsAscending = isAscending !== isBackwards;
    const rows = this.database
      .prepare<unknown[], Row>(
        `SELECT seq, data FROM ${this.table} ${where} ORDER BY seq ${readsAscending ? 'ASC' : 'DESC'} LIMIT ?`,
      )
      .all(...values, query.limit + 1);
    const page = rows.slice(0, query.limit);
    if (isBackwards) page.reverse();
    return { data: page.map((row) => this.parse(row)), hasMore: rows.length > query.limit };
  }

  /** Ids of rows whose status is one of `statuses` (tables with a status column only). */
  idsWithStatus(statuses: readonly string[], parentId?: string): string[] {
    const placeholders = statuses.map(() => '?').join(', ');
    const byParent = parentId !== undefined && this.parentColumn ? ` AND ${this.parentColumn} = ?` : '';
    return this.database
      .prepare<unknown[], { id: string }>(
        `SELECT id FROM ${this.table} WHERE status IN (${placeholders})${byParent} ORDER BY seq`,
      )
      .all(...statuses, ...(byParent ? [parentId] : []))
      .map((row) => row.id);
  }

  private seqOf(id: string): number | null {
    const row = this.database
      .prepare<[string], { seq: number }>(`SELECT seq FROM ${this.table} WHERE id = ?`)
      .get(id);
    return row?.seq ?? null;
  }

  private parse(row: Row): T {
    return this.schema.parse(JSON.parse(row.data));
  }
}

function statusOf(item: object): string {
  return 'status' in item && typeof item.status === 'string' ? item.status : '';
}
