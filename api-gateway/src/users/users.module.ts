import { Module } from '@nestjs/common';
import { UpstreamModule } from '../upstream/upstream.module';
import { UsersController } from './users.controller';

@Module({ imports: [UpstreamModule], controllers: [UsersController] })
export class UsersModule {}
