// Starts the test stack (Kafka 9086, PostgreSQL 5437 for payments), or reuses it when it is already up.
export default async () => (await import('../../../infra/local/jest-infra.mjs')).globalSetup();
