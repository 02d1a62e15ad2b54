import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { CredentialsService } from './credentials.service';

@Module({
  imports: [UsersModule],
  controllers: [AuthController],
  providers: [CredentialsService],
})
export class AuthModule {}
