// For the TypeORM CLI, built (`npm run build`, then `npm run migration:generate -- src/database/migrations/<Name>`).
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { orderService } from '../service';
import { dataSourceOptions } from '../shared/database/database.module';

export default new DataSource({ ...dataSourceOptions(orderService.validateEnv(process.env), orderService.schema), extra: { max: 2 } });
