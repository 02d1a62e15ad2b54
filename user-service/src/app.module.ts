import { Module } from '@nestjs/common';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { userService } from './service';
import { ServiceCoreModule } from './shared/service/service-core.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [ServiceCoreModule.forService(userService), UsersModule, AuthModule, AdminModule],
})
export class AppModule {}
