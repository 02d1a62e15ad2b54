// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
export * from './orders';
export * from './payments';
export * from './users';
export * from './error-response';
