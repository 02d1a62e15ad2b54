import type { DataSource, EntityManager } from 'typeorm';
import { prepared, UnitOfWork } from './unit-of-work';

/** A DataSource whose pool manager records statements and whose transactions record BEGIN/COMMIT. */
function fakeDataSource() {
  const sent: string[] = [];
  const released: string[] = [];
  const connection = (of: string) => ({
    query: jest.fn(async (statement: { name: string; values: unknown[] }) => (sent.push(`${of} ${statement.name}`), { rows: [{ ok: 1 }] })),
  });
  const manager = { query: jest.fn(async (sql: string) => (sent.push(sql), [{ ok: 1 }])) } as unknown as EntityManager;
  const inTransaction = { ...manager, queryRunner: { connect: async () => connection('transaction') } } as unknown as EntityManager;
  const dataSource = {
    manager,
    createQueryRunner: () => ({ connect: async () => connection('pooled'), release: async () => released.push('pooled') }),
    transaction: jest.fn(async (work: (m: EntityManager) => Promise<unknown>) => {
      sent.push('BEGIN');
      const result = await work(inTransaction);
      sent.push('COMMIT');
      return result;
    }),
  } as unknown as DataSource;
  return { sent, released, dataSource };
}

describe('UnitOfWork.runStatement', () => {
  it('sends the one statement without BEGIN or COMMIT, then runs what waits for the commit', async () => {
    const { sent, dataSource } = fakeDataSource();
    const unitOfWork = new UnitOfWork(dataSource);
    const committed: string[] = [];
    const result = await unitOfWork.runStatement(async () => {
      const rows = await unitOfWork.transaction.query('INSERT INTO t VALUES (1)');
      unitOfWork.afterCommit('count', () => committed.push(`after ${sent.length} statement(s)`));
      return rows;
    });
    expect(result).toEqual([{ ok: 1 }]);
    expect(sent).toEqual(['INSERT INTO t VALUES (1)']);
    expect(committed).toEqual(['after 1 statement(s)']);
  });

  it('refuses a second statement before sending it: two statements need a transaction', async () => {
    const { sent, dataSource } = fakeDataSource();
    const unitOfWork = new UnitOfWork(dataSource);
    const afterCommit = jest.fn();
    await expect(
      unitOfWork.runStatement(async () => {
        await unitOfWork.transaction.query('INSERT INTO t VALUES (1)');
        unitOfWork.afterCommit('count', afterCommit);
        await unitOfWork.transaction.query('INSERT INTO t VALUES (2)');
      }),
    ).rejects.toThrow('a second statement needs unitOfWork.run()');
    expect(sent).toEqual(['INSERT INTO t VALUES (1)']);
    expect(afterCommit).not.toHaveBeenCalled();
  });

  it('refuses work left for commit time (events.record), naming it', async () => {
    const { sent, dataSource } = fakeDataSource();
    const unitOfWork = new UnitOfWork(dataSource);
    await expect(
      unitOfWork.runStatement(async () => {
        unitOfWork.beforeCommit('outbox-rows', async () => undefined);
        await unitOfWork.transaction.query('INSERT INTO t VALUES (1)');
      }),
    ).rejects.toThrow("'outbox-rows' would write at commit");
    expect(sent).toEqual([]);
  });

  it('joins an open unit: inside run, it is part of that transaction, other statements allowed', async () => {
    const { sent, dataSource } = fakeDataSource();
    const unitOfWork = new UnitOfWork(dataSource);
    await unitOfWork.run(async () => {
      await unitOfWork.transaction.query('SELECT claim');
      await unitOfWork.runStatement(() => unitOfWork.transaction.query('INSERT INTO t VALUES (1)'));
      await unitOfWork.transaction.query('INSERT INTO keys VALUES (1)');
    });
    expect(sent).toEqual(['BEGIN', 'SELECT claim', 'INSERT INTO t VALUES (1)', 'INSERT INTO keys VALUES (1)', 'COMMIT']);
  });
});

describe('UnitOfWork prepared statements', () => {
  const insert = prepared('spec.insert', 'INSERT INTO t VALUES ($1)');
  const select = prepared('spec.select', 'SELECT * FROM t WHERE id = $1');

  it('sends a prepared write on the open transaction, and refuses one outside a unit', async () => {
    const { sent, dataSource } = fakeDataSource();
    const unitOfWork = new UnitOfWork(dataSource);
    await unitOfWork.run(async () => {
      await unitOfWork.write(insert, [1]);
      await unitOfWork.read(select, [1]);
    });
    expect(sent).toEqual(['BEGIN', 'transaction spec.insert', 'transaction spec.select', 'COMMIT']);
    expect(() => unitOfWork.write(insert, [1])).toThrow('a write outside unitOfWork.run()');
  });

  it('reads outside a unit on a pooled connection, given back afterwards', async () => {
    const { sent, released, dataSource } = fakeDataSource();
    await expect(new UnitOfWork(dataSource).read(select, [1])).resolves.toEqual([{ ok: 1 }]);
    expect(sent).toEqual(['pooled spec.select']);
    expect(released).toEqual(['pooled']);
  });

  it('counts a prepared statement as the one statement of runStatement', async () => {
    const { sent, dataSource } = fakeDataSource();
    const unitOfWork = new UnitOfWork(dataSource);
    await expect(
      unitOfWork.runStatement(async () => {
        await unitOfWork.write(insert, [1]);
        await unitOfWork.transaction.query('INSERT INTO t VALUES (2)');
      }),
    ).rejects.toThrow('a second statement needs unitOfWork.run()');
    expect(sent).toEqual(['pooled spec.insert']);
  });

  it('refuses a second text for a name at load: pg would refuse it on every connection', () => {
    expect(() => prepared('spec.insert', 'INSERT INTO t VALUES ($1, $2)')).toThrow("prepared statement 'spec.insert' has two texts");
    expect(prepared('spec.insert', 'INSERT INTO t VALUES ($1)')).toEqual(insert);
  });
});
