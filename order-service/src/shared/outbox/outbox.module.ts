// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Global, Module } from '@nestjs/common';
import { Events } from './events';
import { OutboxRelay } from './outbox-relay';

@Global()
@Module({ providers: [Events, OutboxRelay], exports: [Events, OutboxRelay] })
export class OutboxModule {}
