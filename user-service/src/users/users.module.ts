import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { IdempotencyModule } from '../shared/idempotency/idempotency.module';
import { PasswordHasher } from './password-hasher';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [SessionsModule, IdempotencyModule],
  controllers: [UsersController],
  providers: [UsersService, PasswordHasher],
  exports: [UsersService, PasswordHasher],
})
export class UsersModule {}
