import type { z } from 'zod';
import { actingUserId } from '../../../common/index.js';
import type { ScopedDatabase } from '../../../postgres/index.js';
import type { RecordTable } from './engine-state.js';
import type { Page, PageQuery } from './json-table.js';

/**
 * One engine table of whole objects in PostgreSQL (jsonb), read back through a shared zod
 * schema; the same cursors and filters as JsonTable, so both pass one contract suite.
 */
export class PostgresRecordTable<T extends { id: string }> implements RecordTable<T> {
  constructor(
    private readonly database: ScopedDatabase,
    private readonly table: string,
    private readonly schema: z.ZodType<T>,
    private readonly parentColumn?: 'thread_id' | 'run_id',
    private readonly hasStatus = false,
    private readonly hasOwner = false,
  ) {}

  async insert(item: T, parentId?: string, owner?: string | null): Promise<void> {
    const columns = ['id', 'data'];
    const values: unknown[] = [item.id, JSON.stringify(item)];
    if (this.hasOwner) {
      // The acting user's unless told (null: no one's, as the built-in assistant is): the row's
      // owner is what row-level security checks.
      columns.push('owner');
      values.push(owner === undefined ? actingUserId() : owner);
    }
    if (this.parentColumn) {
      columns.push(this.parentColumn);
      values.push(parentId);
    }
    if (this.hasStatus) {
      columns.push('status');
      values.push(statusOf(item));
    }
    await this.database.query(
      `INSERT INTO ${this.table} (${columns.join(', ')}) VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')})`,
      values,
    );
  }

  async update(item: T): Promise<void> {
    if (this.hasStatus) {
      await this.database.query(`UPDATE ${this.table} SET data = $1, status = $2 WHERE id = $3`, [
        JSON.stringify(item),
        statusOf(item),
        item.id,
      ]);
    } else {
      await this.database.query(`UPDATE ${this.table} SET data = $1 WHERE id = $2`, [
        JSON.stringify(item),
        item.id,
      ]);
    }
  }

  async get(id: string): Promise<T | null> {
    const result = await this.database.query<{ data: unknown }>(
      `SELECT data FROM ${this.table} WHERE id = $1`,
      [id],
    );
    const row = result.rows[0];
    return row ? this.schema.parse(row.data) : null;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.database.query(`DELETE FROM ${this.table} WHERE id = $1`, [id]);
    return (result.rowCount ?? 0) > 0;
  }

  async ownerOf(id: string): Promise<string | null | undefined> {
    if (!this.hasOwner) return null;
    const result = await this.database.query<{ owner: string | null }>(
      `SELECT owner FROM ${this.table} WHERE id = $1`,
      [id],
    );
    const row = result.rows[0];
    return row ? row.owner : undefined;
  }

  async list(parentId: string | null, query: PageQuery, visibleTo?: string): Promise<Page<T>> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    const parameter = (value: unknown) => {
      values.push(value);
      return `$${values.length}`;
    };
    if (this.hasOwner && visibleTo !== undefined)
      conditions.push(`(owner IS NULL OR owner = ${parameter(visibleTo)})`);
    if (this.parentColumn && parentId !== null)
      conditions.push(`${this.parentColumn} = ${parameter(parentId)}`);
    const isAscending = query.order === 'asc';
    for (const [cursor, isAfter] of [
      [query.after, true],
      [query.before, false],
    ] as const) {
      if (cursor === undefined) continue;
      const seq = await this.seqOf(cursor);
      if (seq === null) continue;
      conditions.push(`seq ${isAfter === isAscending ? '>' : '<'} ${parameter(seq)}`);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    // `before` alone pages backwards: read the rows nearest the cursor, then restore list order.
    const isBackwards = query.before !== undefined && query.after === undefined;
    const readsAscending = isAscending !== isBackwards;
    const result = await this.database.query<{ data: unknown }>(
      `SELECT data FROM ${this.table} ${where} ORDER BY seq ${readsAscending ? 'ASC' : 'DESC'} LIMIT ${parameter(query.limit + 1)}`,
      values,
    );
    const page = result.rows.slice(0, query.limit);
    if (isBackwards) page.reverse();
    return {
      data: page.map((row) => this.schema.parse(row.data)),
      hasMore: result.rows.length > query.limit,
    };
  }

  async idsWithStatus(statuses: readonly string[], parentId?: string): Promise<string[]> {
    const byParent = parentId !== undefined && this.parentColumn ? ` AND ${this.parentColumn} = $2` : '';
    const result = await this.database.query<{ id: string }>(
      `SELECT id FROM ${this.table} WHERE status = ANY($1::text[])${byParent} ORDER BY seq`,
      byParent ? [[...statuses], parentId] : [[...statuses]],
    );
    return result.rows.map((row) => row.id);
  }

  private async seqOf(id: string): Promise<string | null> {
    const result = await this.database.query<{ seq: string }>(`SELECT seq FROM ${this.table} WHERE id = $1`, [
      id,
    ]);
    return result.rows[0]?.seq ?? null;
  }
}

function statusOf(item: object): string {
  return 'status' in item && typeof item.status === 'string' ? item.status : '';
}
