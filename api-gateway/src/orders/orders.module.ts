import { Module } from '@nestjs/common';
import { UpstreamModule } from '../upstream/upstream.module';
import { OrdersController } from './orders.controller';

@Module({ imports: [UpstreamModule], controllers: [OrdersController] })
export class OrdersModule {}
