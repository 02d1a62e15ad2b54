// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Global, Module } from '@nestjs/common';
import { Outbox } from './outbox.service';
import { OutboxRelay } from './outbox-relay';

@Global()
@Module({ providers: [Outbox, OutboxRelay], exports: [Outbox, OutboxRelay] })
export class OutboxModule {}
