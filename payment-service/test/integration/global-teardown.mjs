// Stops only what global-setup started (nothing when it reused a running stack).
export default async () => (await import('../../../infra/local/jest-infra.mjs')).globalTeardown();
