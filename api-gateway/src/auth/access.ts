import { ForbiddenException, NotFoundException } from '@nestjs/common';
import { AuthUser, isAdmin, mayActFor } from './auth-user';

/**
 * The ownership rules of the API, in one place. `user` is undefined when AUTH_ENABLED is off:
 * then every rule lets the request through (the seed's token-less demo).
 */
export const Access = {
  /** /api/users/:id: yourself, or an admin. Decided from the token alone: a 403 says nothing about `id`. */
  userRecord(user: AuthUser | undefined, id: string): void {
    if (!mayActFor(user, id)) throw new ForbiddenException('you may only read and change your own user');
  },

  /** POST /api/orders: for yourself, or as an admin for anyone. */
  newOrderFor(user: AuthUser | undefined, userId: string): void {
    if (!mayActFor(user, userId)) throw new ForbiddenException('you may only place orders for yourself (userId must be your id)');
  },

  /** GET /api/orders: a user sees their own orders only; an admin sees what they ask for. */
  orderListFilter(user: AuthUser | undefined, userId: string | undefined): string | undefined {
    if (user === undefined || isAdmin(user)) return userId;
    if (userId !== undefined && userId !== user.id) throw new ForbiddenException('you may only list your own orders');
    return user.id;
  },

  /** GET /api/payments: a user names one order (?orderId=); only its payments, if theirs, come back. */
  paymentListFilter(user: AuthUser | undefined, orderId: string | undefined): void {
    if (user !== undefined && !isAdmin(user) && orderId === undefined) {
      throw new ForbiddenException('list the payments of one of your orders: ?orderId=<id>');
    }
  },

  /**
   * One order or payment, once the service has answered: someone else's is a 404 exactly like an
   * unknown id, so ids of other users' orders cannot be probed.
   */
  ownedAnswer(user: AuthUser | undefined, status: number, body: unknown, notFound: string): void {
    if (status !== 200) return;
    if (!mayActFor(user, (body as { userId?: unknown } | null)?.userId)) throw new NotFoundException(notFound);
  },
};
