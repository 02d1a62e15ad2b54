import { currentOrigin, currentRequestId, currentUnit, runInUnit, runWithOrigin } from './origin';

describe('origin and unit of work: one context for both', () => {
  it('keeps the open unit when an event of a batch takes its own origin inside it', async () => {
    const unit = { name: 'batch unit' };
    const seen = await runInUnit(unit, () =>
      Promise.all(
        ['e1', 'e2'].map((eventId) =>
          runWithOrigin({ requestId: `req-${eventId}`, eventId }, async () => {
            await Promise.resolve();
            return { origin: currentOrigin(), unit: currentUnit() };
          }),
        ),
      ),
    );
    expect(seen).toEqual([
      { origin: { requestId: 'req-e1', eventId: 'e1' }, unit },
      { origin: { requestId: 'req-e2', eventId: 'e2' }, unit },
    ]);
  });

  it('keeps the origin when a unit opens under it, and leaves both behind when the work ends', async () => {
    const unit = { name: 'request unit' };
    const inside = await runWithOrigin({ requestId: 'req-1' }, () =>
      runInUnit(unit, async () => {
        await Promise.resolve();
        return { requestId: currentRequestId(), unit: currentUnit() };
      }),
    );
    expect(inside).toEqual({ requestId: 'req-1', unit });
    expect(currentOrigin()).toBeUndefined();
    expect(currentUnit()).toBeUndefined();
    expect(currentRequestId()).toBeNull();
  });
});
