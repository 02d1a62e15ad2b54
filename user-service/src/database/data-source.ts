// For the TypeORM CLI, built (`npm run build`, then `npm run migration:generate -- src/database/migrations/<Name>`).
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { userService } from '../service';
import { dataSourceOptions } from '../shared/database/database.module';

export default new DataSource({ ...dataSourceOptions(userService.validateEnv(process.env), userService.schema), extra: { max: 2 } });
