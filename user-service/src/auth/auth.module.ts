import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AuthController } from './auth.controller';
import { SessionsController } from './sessions.controller';
import { CredentialsService } from './credentials.service';

@Module({
  imports: [UsersModule, SessionsModule],
  controllers: [AuthController, SessionsController],
  providers: [CredentialsService],
})
export class AuthModule {}
