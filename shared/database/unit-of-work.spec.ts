import type { DataSource, EntityManager } from 'typeorm';
import { UnitOfWork } from './unit-of-work';

/** A DataSource whose pool manager records statements and whose transactions record BEGIN/COMMIT. */
function fakeDataSource() {
  const sent: string[] = [];
  const manager = { query: jest.fn(async (sql: string) => (sent.push(sql), [{ ok: 1 }])) } as unknown as EntityManager;
  const dataSource = {
    manager,
    transaction: jest.fn(async (work: (m: EntityManager) => Promise<unknown>) => {
      sent.push('BEGIN');
      const result = await work(manager);
      sent.push('COMMIT');
      return result;
    }),
  } as unknown as DataSource;
  return { sent, dataSource };
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
