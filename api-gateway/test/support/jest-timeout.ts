// Each test file builds a whole gateway app (and Swagger's document) in its hooks: seconds on a busy
// 2-core machine, more than Jest's 5 s default. A project's `testTimeout` is ignored, hence here.
jest.setTimeout(30_000);
