import { Module } from '@nestjs/common';
import { UpstreamModule } from '../upstream/upstream.module';
import { PaymentsController } from './payments.controller';

@Module({ imports: [UpstreamModule], controllers: [PaymentsController] })
export class PaymentsModule {}
