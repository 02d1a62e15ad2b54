import { Admin, Kafka } from 'kafkajs';

/** One admin client, connected on first use and again after a failure (Kafka restarted). */
export class AdminConnection {
  private admin: Admin | null = null;
  private connecting: Promise<Admin> | null = null;

  constructor(private readonly kafka: Kafka) {}

  get(): Promise<Admin> {
    if (this.admin) return Promise.resolve(this.admin);
    this.connecting ??= (async () => {
      const admin = this.kafka.admin({ retry: { retries: 1 } });
      try {
        await admin.connect();
        this.admin = admin;
        return admin;
      } finally {
        this.connecting = null;
      }
    })();
    return this.connecting;
  }

  /** Runs `work`; on failure drops the connection so the next call reconnects. */
  async use<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = await this.get();
    try {
      return await work(admin);
    } catch (error) {
      this.admin = null;
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    await admin?.disconnect().catch(() => undefined);
  }
}
