import { Logger } from '@nestjs/common';
import type { UnitOfWork } from '../shared/database/unit-of-work';
import type { Events } from '../shared/outbox/events';
import { OrderTransitions } from './order-transitions';
import { Order } from './order.entity';
import type { OrderStatus, OrderTrigger } from './order-status';

describe('OrderTransitions: a trigger that changes nothing', () => {
  // A trigger that stays writes nothing: neither the unit of work nor the events are touched.
  const sut = new OrderTransitions({} as UnitOfWork, {} as Events);
  let warn: jest.SpyInstance;
  let info: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    info = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  const orderIn = (status: OrderStatus) => Object.assign(new Order(), { id: 'order-1', status });
  const messagesOf = (spy: jest.SpyInstance) => spy.mock.calls.map(([fields, message]) => `${message} (${(fields as { reason: string }).reason})`);

  it.each<[OrderStatus, OrderTrigger]>([
    ['refund_pending', 'cancel'],
  ])('%s + %s: the client asked twice, routine: logged at info', async (status, trigger) => {
    expect(await sut.apply(orderIn(status), trigger)).toEqual({ kind: 'stay', reason: 'in_progress' });
    expect(messagesOf(info)).toEqual(['order trigger changed nothing (in_progress)']);
    expect(warn).not.toHaveBeenCalled();
  });

  it.each<[OrderStatus, OrderTrigger, string]>([
    ['paid', 'payment_failed', 'already_final'],
    ['pending', 'refund_completed', 'not_expected'],
  ])('%s + %s: a late or conflicting event, worth a look: logged at warn', async (status, trigger, reason) => {
    expect(await sut.apply(orderIn(status), trigger)).toEqual({ kind: 'stay', reason });
    expect(messagesOf(warn)).toEqual([`order trigger changed nothing (${reason})`]);
  });

  it('a duplicate (already in that status) is not logged at all', async () => {
    expect(await sut.apply(orderIn('paid'), 'payment_completed')).toEqual({ kind: 'stay', reason: 'already_in_status' });
    expect(warn).not.toHaveBeenCalled();
    expect(info).not.toHaveBeenCalled();
  });
});
