export default async () => (await import('../../../infra/local/jest-infra.mjs')).globalSetup();
