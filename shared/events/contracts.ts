// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Topic, Topics } from './topics';

/** Money travels as a decimal string ("12.30"): JSON numbers would invite float arithmetic. */
export const MONEY = /^\d{1,12}(\.\d{1,2})?$/;
export const PRODUCT_ID = /^product-[a-zA-Z0-9-]+$/;
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export class UserCreatedData {
  @IsUUID() readonly userId!: string;
  @IsEmail() @MaxLength(255) readonly email!: string;
  @IsString() @MaxLength(255) readonly name!: string;
  @IsIn(ROLES) readonly role!: Role;
}

export class UserDeletedData {
  @IsUUID() readonly userId!: string;
}

export class OrderItemData {
  @Matches(PRODUCT_ID) readonly productId!: string;
  @IsInt() @Min(1) @Max(9999) readonly quantity!: number;
  @Matches(MONEY) readonly price!: string;
}

export const ORDER_KINDS = ['welcome', 'regular'] as const;
export type OrderKind = (typeof ORDER_KINDS)[number];

export class OrderCreatedData {
  @IsUUID() readonly orderId!: string;
  @IsUUID() readonly userId!: string;
  @IsIn(ORDER_KINDS) readonly kind!: OrderKind;
  @ValidateNested({ each: true })
  @Type(() => OrderItemData)
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  readonly items!: OrderItemData[];
  @Matches(MONEY) readonly totalAmount!: string;
}

export class PaymentCompletedData {
  @IsUUID() readonly paymentId!: string;
  @IsUUID() readonly orderId!: string;
  @Matches(MONEY) readonly amount!: string;
}

export class PaymentFailedData {
  @IsUUID() readonly paymentId!: string;
  @IsUUID() readonly orderId!: string;
  @Matches(MONEY) readonly amount!: string;
  @IsString() @MaxLength(500) readonly reason!: string;
  @IsOptional() @IsString() readonly code?: string;
}

/** Why an order was cancelled: asked by its owner or an admin (the request says who). */
export const CANCELLED_FROM = ['pending', 'paid'] as const;
export type CancelledFrom = (typeof CANCELLED_FROM)[number];

export class OrderCancelledData {
  @IsUUID() readonly orderId!: string;
  @IsUUID() readonly userId!: string;
  /** pending: nothing was taken; paid: a refund follows (order.refund-requested). */
  @IsIn(CANCELLED_FROM) readonly cancelledFrom!: CancelledFrom;
}

export class OrderExpiredData {
  @IsUUID() readonly orderId!: string;
  @IsUUID() readonly userId!: string;
  /** The payment deadline that passed. */
  @IsISO8601() readonly deadline!: string;
}

export const REFUND_REASONS = ['cancelled', 'late_payment'] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

/**
 * The order asks for its money back: cancelled after payment, or paid after it was cancelled or
 * expired. payment-service refunds the named payment in full, once.
 */
export class RefundRequestedData {
  @IsUUID() readonly orderId!: string;
  @IsUUID() readonly paymentId!: string;
  @Matches(MONEY) readonly amount!: string;
  @IsIn(REFUND_REASONS) readonly reason!: RefundReason;
}

export class PaymentRefundedData {
  @IsUUID() readonly refundId!: string;
  @IsUUID() readonly paymentId!: string;
  @IsUUID() readonly orderId!: string;
  @Matches(MONEY) readonly amount!: string;
}

export class PaymentRefundFailedData {
  @IsUUID() readonly refundId!: string;
  @IsUUID() readonly paymentId!: string;
  @IsUUID() readonly orderId!: string;
  @Matches(MONEY) readonly amount!: string;
  @IsInt() @Min(1) readonly attempts!: number;
  @IsString() @MaxLength(500) readonly reason!: string;
}

export interface EventContract<TData> {
  readonly topic: Topic;
  readonly type: string;
  readonly version: number;
  readonly dataClass: new () => TData;
  /** The message key: the aggregate id, so one entity's events stay in order on one partition. */
  readonly keyOf: (data: TData) => string;
}

function contract<TData>(c: EventContract<TData>): EventContract<TData> {
  return c;
}

/** One contract per topic: the producer builds with it, the consumer validates with it. */
export const Contracts = {
  UserCreated: contract({
    topic: Topics.UserCreated,
    type: 'UserCreated',
    version: 1,
    dataClass: UserCreatedData,
    keyOf: (d) => d.userId,
  }),
  UserDeleted: contract({
    topic: Topics.UserDeleted,
    type: 'UserDeleted',
    version: 1,
    dataClass: UserDeletedData,
    keyOf: (d) => d.userId,
  }),
  OrderCreated: contract({
    topic: Topics.OrderCreated,
    type: 'OrderCreated',
    version: 1,
    dataClass: OrderCreatedData,
    keyOf: (d) => d.orderId,
  }),
  PaymentCompleted: contract({
    topic: Topics.PaymentCompleted,
    type: 'PaymentCompleted',
    version: 1,
    dataClass: PaymentCompletedData,
    keyOf: (d) => d.orderId,
  }),
  PaymentFailed: contract({
    topic: Topics.PaymentFailed,
    type: 'PaymentFailed',
    version: 1,
    dataClass: PaymentFailedData,
    keyOf: (d) => d.orderId,
  }),
  OrderCancelled: contract({
    topic: Topics.OrderCancelled,
    type: 'OrderCancelled',
    version: 1,
    dataClass: OrderCancelledData,
    keyOf: (d) => d.orderId,
  }),
  OrderExpired: contract({
    topic: Topics.OrderExpired,
    type: 'OrderExpired',
    version: 1,
    dataClass: OrderExpiredData,
    keyOf: (d) => d.orderId,
  }),
  RefundRequested: contract({
    topic: Topics.RefundRequested,
    type: 'RefundRequested',
    version: 1,
    dataClass: RefundRequestedData,
    keyOf: (d) => d.orderId,
  }),
  PaymentRefunded: contract({
    topic: Topics.PaymentRefunded,
    type: 'PaymentRefunded',
    version: 1,
    dataClass: PaymentRefundedData,
    keyOf: (d) => d.orderId,
  }),
  PaymentRefundFailed: contract({
    topic: Topics.PaymentRefundFailed,
    type: 'PaymentRefundFailed',
    version: 1,
    dataClass: PaymentRefundFailedData,
    keyOf: (d) => d.orderId,
  }),
} as const;
