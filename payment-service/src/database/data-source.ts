// For the TypeORM CLI, built (`npm run build`, then `npm run migration:generate -- src/database/migrations/<Name>`).
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { paymentService } from '../service';
import { dataSourceOptions } from '../shared/database/database.module';

export default new DataSource({ ...dataSourceOptions(paymentService.validateEnv(process.env), paymentService.schema), extra: { max: 2 } });
