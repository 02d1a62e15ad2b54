import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { PageQuery } from './pagination';

/** Every message, as the global ValidationPipe (configureApp) would put them in the 400. */
async function messagesOf(query: Record<string, unknown>): Promise<string[]> {
  const errors = await validate(plainToInstance(PageQuery, query), { whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: true });
  return errors.flatMap((e) => Object.values(e.constraints ?? {}));
}

describe('PageQuery', () => {
  it('takes plain decimal integers in range, and defaults to 20 from 0', async () => {
    expect(await messagesOf({})).toEqual([]);
    expect(await messagesOf({ limit: '1', offset: '0' })).toEqual([]);
    expect(await messagesOf({ limit: '100', offset: '1000000' })).toEqual([]);
    expect({ ...plainToInstance(PageQuery, {}) }).toEqual({ limit: 20, offset: 0 });
  });

  it.each([
    ['limit', ['0', '101', '-1', '1.5', '1e2', 'abc', '99999999999999999999', ['1', '2']], 'limit must be a whole number from 1 to 100'],
    ['offset', ['-1', '1000001', '0x10', ' 5', '99999999999999999999', ''], 'offset must be a whole number from 0 to 1000000'],
  ])('refuses a %s outside its range or not in digits with one message naming the range', async (name, values, message) => {
    for (const value of values) expect({ value, messages: await messagesOf({ [name]: value }) }).toEqual({ value, messages: [message] });
  });
});
