import type { ExecutionContext } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { FastifyReply } from 'fastify';
import type { UnitOfWork } from '../database/unit-of-work';
import { IDEMPOTENT_REPLAYED_HEADER, idempotencyScope, InvalidIdempotencyKeyError, requestFingerprint } from './idempotency-key';
import type { IdempotencyClaim, IdempotencyKeys, StoredAnswer } from './idempotency-keys';
import { IdempotentAnswers } from './idempotent-answers';
import { keyedRequestOf, type KeyedRequest } from './idempotent-request';

/** A unit of work that only records that the work ran inside it. */
function fakeUnitOfWork(): UnitOfWork & { opened: number } {
  const unit = { opened: 0, run: async <T>(work: () => Promise<T>) => (unit.opened++, work()) };
  return unit as unknown as UnitOfWork & { opened: number };
}

function fakeKeys(stored: StoredAnswer | null) {
  return { claim: jest.fn(async (_: IdempotencyClaim) => stored), record: jest.fn(async (_c: IdempotencyClaim, _a: StoredAnswer) => undefined) };
}

function fakeReply() {
  const reply = { status: jest.fn(() => reply), header: jest.fn(() => reply) };
  return reply;
}

const claim: IdempotencyClaim = { scope: 'anonymous', key: 'k-1', fingerprint: 'f'.repeat(64) };

describe('IdempotentAnswers.once', () => {
  it('runs the work alone when the request has no key', async () => {
    const unitOfWork = fakeUnitOfWork();
    const keys = fakeKeys(null);
    const answers = new IdempotentAnswers(unitOfWork, keys as unknown as IdempotencyKeys);
    await expect(answers.once(undefined, async () => ({ id: 'a' }))).resolves.toEqual({ id: 'a' });
    expect(unitOfWork.opened).toBe(0);
    expect(keys.claim).not.toHaveBeenCalled();
  });

  it('claims the key, runs the work and stores its answer with the route status, in one unit of work', async () => {
    const unitOfWork = fakeUnitOfWork();
    const keys = fakeKeys(null);
    const reply = fakeReply();
    const request: KeyedRequest = { claim, status: 201, reply: reply as unknown as FastifyReply };
    const answers = new IdempotentAnswers(unitOfWork, keys as unknown as IdempotencyKeys);
    await expect(answers.once(request, async () => ({ id: 'a', total: 5 }))).resolves.toEqual({ id: 'a', total: 5 });
    expect(unitOfWork.opened).toBe(1);
    expect(keys.claim).toHaveBeenCalledWith(claim);
    expect(keys.record).toHaveBeenCalledWith(claim, { status: 201, body: '{"id":"a","total":5}' });
    expect(reply.header).not.toHaveBeenCalled();
  });

  it('answers a key seen before with the stored status and body, marked replayed, without running the work', async () => {
    const keys = fakeKeys({ status: 201, body: '{"id":"first"}' });
    const reply = fakeReply();
    const work = jest.fn(async () => ({ id: 'second' }));
    const answers = new IdempotentAnswers(fakeUnitOfWork(), keys as unknown as IdempotencyKeys);
    const body = await answers.once({ claim, status: 201, reply: reply as unknown as FastifyReply }, work);
    expect(body).toEqual({ id: 'first' });
    expect(work).not.toHaveBeenCalled();
    expect(keys.record).not.toHaveBeenCalled();
    expect(reply.status).toHaveBeenCalledWith(201);
    expect(reply.header).toHaveBeenCalledWith(IDEMPOTENT_REPLAYED_HEADER, 'true');
  });

  it('stores nothing when the work fails, so a retry with the key runs again', async () => {
    const keys = fakeKeys(null);
    const answers = new IdempotentAnswers(fakeUnitOfWork(), keys as unknown as IdempotencyKeys);
    const failing = answers.once({ claim, status: 201, reply: fakeReply() as unknown as FastifyReply }, async () => {
      throw new Error('user unknown');
    });
    await expect(failing).rejects.toThrow('user unknown');
    expect(keys.record).not.toHaveBeenCalled();
  });
});

describe('keyedRequestOf', () => {
  function contextOf(headers: Record<string, string | string[]>, handler: () => void = () => undefined, userId?: string, url = '/orders?x=1', body: unknown = { b: 1, a: 2 }) {
    const req = { method: 'POST', url, headers, body, caller: userId ? { userId, roles: ['user'] } : undefined };
    const reply = fakeReply();
    const ctx = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => reply }), getHandler: () => handler };
    return { ctx: ctx as unknown as ExecutionContext, reply };
  }

  it('is undefined without the header', () => {
    expect(keyedRequestOf(contextOf({}).ctx)).toBeUndefined();
  });

  it('refuses a malformed key before the route runs', () => {
    expect(() => keyedRequestOf(contextOf({ 'idempotency-key': 'has space' }).ctx)).toThrow(InvalidIdempotencyKeyError);
  });

  it("claims the key in the caller's scope, fingerprinted by route and canonical body, a POST answering 201", () => {
    const { ctx, reply } = contextOf({ 'idempotency-key': 'k-1' }, () => undefined, 'u-1');
    expect(keyedRequestOf(ctx)).toEqual({
      claim: { scope: idempotencyScope('u-1'), key: 'k-1', fingerprint: requestFingerprint('POST /orders', { a: 2, b: 1 }) },
      status: 201,
      reply,
    });
  });

  it('tells two resources of one route apart by their path: one key cannot cancel two orders', () => {
    const cancel = (id: string) => keyedRequestOf(contextOf({ 'idempotency-key': 'k-1' }, undefined, undefined, `/orders/${id}/cancel`, null).ctx)?.claim.fingerprint;
    expect(cancel('a')).toBe(requestFingerprint('POST /orders/a/cancel', null));
    expect(cancel('a')).not.toBe(cancel('b'));
  });

  it("takes the route's @HttpCode as the status it stores", () => {
    const handler = () => undefined;
    Reflect.defineMetadata(HTTP_CODE_METADATA, 200, handler);
    expect(keyedRequestOf(contextOf({ 'idempotency-key': 'k-1' }, handler).ctx)?.status).toBe(200);
  });
});
