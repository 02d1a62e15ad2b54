import { ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { CurrentUser } from './current-user.decorator';
import { IS_PUBLIC, Public } from './public.decorator';
import { REQUIRED_ROLES, Roles } from './roles.decorator';

/** The function Nest runs for a param decorator, taken from the metadata it leaves. */
function factoryOf(decorator: () => ParameterDecorator): (data: unknown, ctx: ExecutionContext) => unknown {
  class Probe {
    handler(@decorator() _value: unknown): void {}
  }
  const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Probe, 'handler') as Record<string, { factory: never }>;
  return Object.values(args)[0].factory;
}

const ctxWith = (req: object) => ({ switchToHttp: () => ({ getRequest: () => req }) }) as unknown as ExecutionContext;

describe('auth decorators', () => {
  const reflector = new Reflector();

  it('@Public() marks a route or a controller', () => {
    class C {
      @Public() m(): void {}
    }
    @Public()
    class D {}
    expect(reflector.get(IS_PUBLIC, C.prototype.m)).toBe(true);
    expect(reflector.get(IS_PUBLIC, D)).toBe(true);
  });

  it('@Roles() records the roles a route needs', () => {
    class C {
      @Roles('admin') m(): void {}
    }
    expect(reflector.get(REQUIRED_ROLES, C.prototype.m)).toEqual(['admin']);
  });

  it('@CurrentUser() gives the token\'s user, or undefined when auth is off', () => {
    const factory = factoryOf(CurrentUser);
    const user = { id: '1a1a1a1a-1111-4111-8111-111111111111', roles: ['user'] };

    expect(factory(undefined, ctxWith({ user }))).toBe(user);
    expect(factory(undefined, ctxWith({}))).toBeUndefined();
  });
});
