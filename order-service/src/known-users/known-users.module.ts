import { Module } from '@nestjs/common';
import { KnownUsers } from './known-users';
import { UserDirectory } from './user-directory';
import { UserServiceClient } from './user-service.client';

@Module({
  providers: [KnownUsers, UserServiceClient, UserDirectory],
  exports: [KnownUsers, UserDirectory],
})
export class KnownUsersModule {}
