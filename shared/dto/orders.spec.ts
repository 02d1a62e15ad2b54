import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { CreateOrderDto } from './orders';

const USER_ID = '3f0c1a52-6f1e-4c47-9d0a-2b3c4d5e6f70';

/** The global ValidationPipe's options (configureApp), so these tests see what HTTP sees. */
async function problemsOf(body: unknown): Promise<string[]> {
  const dto = plainToInstance(CreateOrderDto, body, { enableImplicitConversion: false });
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  return flatten(errors);
}

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    return [...Object.keys(e.constraints ?? {}).map((c) => `${path}:${c}`), ...flatten(e.children ?? [], path)];
  });
}

const anItem = (over: Record<string, unknown> = {}) => ({ productId: 'product-123', quantity: 2, price: 29.99, ...over });
const anOrder = (over: Record<string, unknown> = {}) => ({ userId: USER_ID, items: [anItem()], ...over });

describe('CreateOrderDto', () => {
  it('accepts a valid order, at the limits of every field', async () => {
    expect(await problemsOf(anOrder())).toEqual([]);
    expect(await problemsOf(anOrder({ items: [anItem({ quantity: 1, price: 0.01 })] }))).toEqual([]);
    expect(await problemsOf(anOrder({ items: [anItem({ quantity: 9999, price: 999999.99 })] }))).toEqual([]);
    expect(await problemsOf(anOrder({ items: [anItem({ price: 12 }), anItem({ price: 0.3 })] }))).toEqual([]);
    expect(await problemsOf(anOrder({ items: Array.from({ length: 100 }, () => anItem()) }))).toEqual([]);
  });

  it('refuses a price sent as a string, even a well-formed one', async () => {
    expect(await problemsOf(anOrder({ items: [anItem({ price: '12' })] }))).toContain('items.0.price:isNumber');
    expect(await problemsOf(anOrder({ items: [anItem({ price: '12.30' })] }))).toContain('items.0.price:isNumber');
  });

  it.each([12.345, 0.001, 1e-7, 0.1 + 0.2])('refuses the price %p (more than 2 decimals)', async (price) => {
    expect(await problemsOf(anOrder({ items: [anItem({ price })] }))).toContain('items.0.price:hasAtMostTwoDecimals');
  });

  it.each([
    [0, 'min'],
    [-1, 'min'],
    [1000000, 'max'],
    [999999.991, 'max'],
  ])('refuses the price %p (out of 0.01..999999.99)', async (price, constraint) => {
    expect(await problemsOf(anOrder({ items: [anItem({ price })] }))).toContain(`items.0.price:${constraint}`);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('refuses the price %p', async (price) => {
    expect(await problemsOf(anOrder({ items: [anItem({ price })] }))).toContain('items.0.price:isNumber');
  });

  it.each([
    [0, 'min'],
    [10000, 'max'],
    [1.5, 'isInt'],
    ['2', 'isInt'],
  ])('refuses the quantity %p', async (quantity, constraint) => {
    expect(await problemsOf(anOrder({ items: [anItem({ quantity })] }))).toContain(`items.0.quantity:${constraint}`);
  });

  it.each(['product_123', 'product-', 'prod-1', 'PRODUCT-1', 'product-1 2', 'x'.repeat(300), 42])(
    'refuses the productId %p',
    async (productId) => {
      expect((await problemsOf(anOrder({ items: [anItem({ productId })] }))).some((p) => p.startsWith('items.0.productId:'))).toBe(true);
    },
  );

  it('refuses an order without items, with too many, or with items that are not objects', async () => {
    expect(await problemsOf(anOrder({ items: [] }))).toContain('items:arrayMinSize');
    expect(await problemsOf(anOrder({ items: Array.from({ length: 101 }, () => anItem()) }))).toContain('items:arrayMaxSize');
    expect(await problemsOf(anOrder({ items: 'product-1' }))).toContain('items:isArray');
    expect((await problemsOf(anOrder({ items: [42] }))).length).toBeGreaterThan(0);
    expect(await problemsOf({ userId: USER_ID })).toContain('items:isArray');
  });

  it('refuses a userId that is not a uuid', async () => {
    expect(await problemsOf(anOrder({ userId: 'user-1' }))).toContain('userId:isAnyUuid');
    expect(await problemsOf(anOrder({ userId: undefined }))).toContain('userId:isAnyUuid');
  });

  it('refuses unknown fields, at the top and inside items', async () => {
    expect(await problemsOf(anOrder({ status: 'paid' }))).toContain('status:whitelistValidation');
    expect(await problemsOf(anOrder({ items: [anItem({ discount: 5 })] }))).toContain('items.0.discount:whitelistValidation');
  });
});
