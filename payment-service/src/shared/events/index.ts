// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
export * from './contracts';
export * from './envelope';
export * from './parse-event';
export * from './topics';
