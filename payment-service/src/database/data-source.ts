// For the TypeORM CLI, built (`npm run build`, then `npm run migration:run`, or `npm run migration:generate -- src/database/migrations/<Name>`).
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { validateEnv } from '../config/env';
import { dataSourceOptions } from './data-source-options';

const env = validateEnv(process.env);
export default new DataSource(
  dataSourceOptions({
    host: env.DB_HOST,
    port: env.DB_PORT,
    username: env.DB_USERNAME,
    password: env.DB_PASSWORD,
    database: env.DB_DATABASE,
    poolSize: 2,
  }),
);
