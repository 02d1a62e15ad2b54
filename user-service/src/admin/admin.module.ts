import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { AdminSeeder } from './admin-seeder';

@Module({ imports: [UsersModule], providers: [AdminSeeder], exports: [AdminSeeder] })
export class AdminModule {}
