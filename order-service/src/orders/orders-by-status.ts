import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { reportOrdersByStatus } from './order-metrics';

/** Supplies the orders_by_status gauge with its query while this app runs. */
@Injectable()
export class OrdersByStatus implements OnModuleInit, OnApplicationShutdown {
  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    reportOrdersByStatus(async () => {
      const rows = (await this.dataSource.query('SELECT status, count(*)::int AS count FROM orders GROUP BY status')) as { status: string; count: number }[];
      return rows;
    });
  }

  onApplicationShutdown(): void {
    reportOrdersByStatus(null);
  }
}
