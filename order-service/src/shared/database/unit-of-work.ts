// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Injectable } from '@nestjs/common';
import type { PoolClient, QueryResultRow } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { currentUnit, runInUnit } from '../context/origin';

/**
 * A statement sent often (once per request or event): prepared once per connection, so
 * PostgreSQL parses and plans it once, not on every call. Each name has one text, app-wide.
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

const preparedTexts = new Map<string, string>();

/** Names a statement to prepare; a name given two texts is refused at load (pg would refuse it per connection). */
export function prepared(name: string, text: string): PreparedStatement {
  const known = preparedTexts.get(name);
  if (known !== undefined && known !== text) throw new Error(`prepared statement '${name}' has two texts`);
  preparedTexts.set(name, text);
  return { name, text };
}

interface OpenUnit {
  manager: EntityManager;
  /** Opened by runStatement: no transaction, so nothing can wait for a commit. */
  readonly oneStatement?: boolean;
  statements: number;
  readonly afterCommit: Map<string, () => void>;
  readonly beforeCommit: Map<string, () => Promise<void>>;
  readonly locals: Map<symbol, unknown>;
}

/** The unit open here, carried with the origin (context/origin.ts). */
const openUnit = (): OpenUnit | undefined => currentUnit<OpenUnit>();

function countStatement(unit: OpenUnit): void {
  if (++unit.statements > 1 && unit.oneStatement) throw new Error('runStatement: a second statement needs unitOfWork.run()');
}

/**
 * The one way to write: `unitOfWork.run(() => ...)` opens a transaction and carries it in context,
 * so repositories and `events.record(...)` inside take part in it without a manager passed by
 * hand. Rows and their events commit together or not at all. A `run` inside a `run` joins the
 * outer unit: a service method can be called from an HTTP request or from an event handler that
 * already opened one.
 */
@Injectable()
export class UnitOfWork {
  constructor(private readonly dataSource: DataSource) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (openUnit()) return work();
    const unit: OpenUnit = { manager: this.dataSource.manager, statements: 0, afterCommit: new Map(), beforeCommit: new Map(), locals: new Map() };
    const result = await this.dataSource.transaction((manager) => {
      unit.manager = manager;
      return runInUnit(unit, async () => {
        const value = await work();
        for (const fn of unit.beforeCommit.values()) await fn();
        return value;
      });
    });
    for (const fn of unit.afterCommit.values()) fn();
    return result;
  }

  /**
   * A unit whose whole write is one statement: PostgreSQL runs every statement atomically on its
   * own, so the unit needs no BEGIN and no COMMIT (two round trips fewer). A second statement, or
   * anything left for commit time (`events.record`: use `events.outboxRow` and write the row in
   * the statement), is refused before it is sent. Inside an open unit it joins that unit, as `run`.
   */
  async runStatement<T>(work: () => Promise<T>): Promise<T> {
    if (openUnit()) return work();
    const pool = this.dataSource.manager;
    const manager = Object.create(pool, {
      query: {
        value: (query: string, parameters?: unknown[]) => {
          countStatement(unit);
          return pool.query(query, parameters);
        },
      },
    }) as EntityManager;
    const unit: OpenUnit = { manager, oneStatement: true, statements: 0, afterCommit: new Map(), beforeCommit: new Map(), locals: new Map() };
    const result = await runInUnit(unit, work);
    for (const fn of unit.afterCommit.values()) fn();
    return result;
  }

  /** A prepared statement that writes, in the open unit (`transaction.query`'s prepared form). */
  write<Row>(statement: PreparedStatement, values: unknown[]): Promise<Row[]> {
    const unit = openUnit();
    if (!unit) throw new Error('a write outside unitOfWork.run(): open a unit of work first');
    return this.execute<Row>(unit, statement, values);
  }

  /** A prepared statement that reads: in the open unit (it sees the unit's writes), else on the pool. */
  read<Row>(statement: PreparedStatement, values: unknown[]): Promise<Row[]> {
    return this.execute<Row>(openUnit(), statement, values);
  }

  private async execute<Row>(unit: OpenUnit | undefined, statement: PreparedStatement, values: unknown[]): Promise<Row[]> {
    if (unit) countStatement(unit);
    const inTransaction = unit?.manager.queryRunner;
    const runner = inTransaction ?? this.dataSource.createQueryRunner();
    try {
      const connection = (await runner.connect()) as PoolClient;
      return (await connection.query<Row & QueryResultRow>({ name: statement.name, text: statement.text, values })).rows;
    } finally {
      if (!inTransaction) await runner.release();
    }
  }

  /** The open unit's transaction; writing outside a unit of work is a programming error. */
  get transaction(): EntityManager {
    const unit = openUnit();
    if (!unit) throw new Error('a write outside unitOfWork.run(): open a unit of work first');
    return unit.manager;
  }

  /** For reads: the open unit's transaction (sees its own writes), else the pool. */
  get reader(): EntityManager {
    return openUnit()?.manager ?? this.dataSource.manager;
  }

  /**
   * Runs `fn` in the open unit right before it commits, once per key (the first registered wins):
   * writes gathered during the unit go out together, in one statement (the outbox rows).
   */
  beforeCommit(key: string, fn: () => Promise<void>): void {
    const unit = openUnit();
    if (!unit) throw new Error('beforeCommit outside unitOfWork.run()');
    if (unit.oneStatement) throw new Error(`runStatement: '${key}' would write at commit; use unitOfWork.run()`);
    if (!unit.beforeCommit.has(key)) unit.beforeCommit.set(key, fn);
  }

  /** A value that lives as long as the open unit (made by `create` on first use). */
  local<T>(key: symbol, create: () => T): T {
    const unit = openUnit();
    if (!unit) throw new Error('a unit-of-work value outside unitOfWork.run()');
    if (!unit.locals.has(key)) unit.locals.set(key, create());
    return unit.locals.get(key) as T;
  }

  /**
   * Runs `fn` once the open unit has committed (never when it rolls back), once per key: waking the
   * outbox relay, counting a metric. Outside a unit it runs at once.
   */
  afterCommit(key: string, fn: () => void): void {
    const unit = openUnit();
    if (unit) unit.afterCommit.set(key, fn);
    else fn();
  }
}
